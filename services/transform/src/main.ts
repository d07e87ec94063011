import { servicePort } from '@netsentry/contracts';
import { runStage } from '@netsentry/runtime';
import { TransformModule } from './transform.module';

void runStage(TransformModule, { stage: 'transform', httpPort: servicePort('transform') });
