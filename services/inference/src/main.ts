import { servicePort } from '@netsentry/contracts';
import { runStage } from '@netsentry/runtime';
import { InferenceModule } from './inference.module';
import { inferenceStageOptions } from './stage-options';

void runStage(InferenceModule, { ...inferenceStageOptions(process.env), httpPort: servicePort('inference') });
