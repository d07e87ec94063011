import { runStage } from '@netsentry/runtime';
import { EvaluatorModule } from './evaluator.module';

void runStage(EvaluatorModule, { stage: 'evaluator', httpPort: 8085 });
