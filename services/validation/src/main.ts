import { servicePort } from '@netsentry/contracts';
import { runStage } from '@netsentry/runtime';
import { ValidationModule } from './validation.module';

void runStage(ValidationModule, { stage: 'validation', httpPort: servicePort('validation') });
