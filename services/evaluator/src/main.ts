import { servicePort } from '@netsentry/contracts';
import { startStage } from '@netsentry/runtime';
import { EvaluatorModule } from './evaluator.module';

void startStage(EvaluatorModule, { stage: 'evaluator', httpPort: servicePort('evaluator') });
