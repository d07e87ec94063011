import { servicePort } from '@netsentry/contracts';
import { runStage } from '@netsentry/runtime';
import { TrainerModule } from './trainer.module';

void runStage(TrainerModule, { stage: 'trainer', httpPort: servicePort('trainer') });
