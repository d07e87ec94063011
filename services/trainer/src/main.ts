import { servicePort } from '@netsentry/contracts';
import { startStage } from '@netsentry/runtime';
import { TrainerModule } from './trainer.module';

void startStage(TrainerModule, { stage: 'trainer', httpPort: servicePort('trainer') });
