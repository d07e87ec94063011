import { servicePort } from '@netsentry/contracts';
import { startStage } from '@netsentry/runtime';
import { TransformModule } from './transform.module';

void startStage(TransformModule, { stage: 'transform', httpPort: servicePort('transform') });
