import { servicePort } from '@netsentry/contracts';
import { startStage } from '@netsentry/runtime';
import { PusherModule } from './pusher.module';

void startStage(PusherModule, { stage: 'pusher', httpPort: servicePort('pusher') });
