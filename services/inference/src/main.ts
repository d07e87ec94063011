import { servicePort } from '@netsentry/contracts';
import { startStage } from '@netsentry/runtime';
import { InferenceModule } from './inference.module';
import { inferenceStageOptions } from './stage-options';

void startStage(
  InferenceModule,
  () => ({ ...inferenceStageOptions(process.env), httpPort: servicePort('inference') }),
  'inference',
);
