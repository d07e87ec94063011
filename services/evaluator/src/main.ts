import { servicePort } from '@netsentry/contracts';
import { runStage } from '@netsentry/runtime';
import { EvaluatorModule } from './evaluator.module';

void runStage(EvaluatorModule, { stage: 'evaluator', httpPort: servicePort('evaluator') });
