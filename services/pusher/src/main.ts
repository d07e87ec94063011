import { servicePort } from '@netsentry/contracts';
import { runStage } from '@netsentry/runtime';
import { PusherModule } from './pusher.module';

void runStage(PusherModule, { stage: 'pusher', httpPort: servicePort('pusher') });
