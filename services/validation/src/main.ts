import { servicePort } from '@netsentry/contracts';
import { startStage } from '@netsentry/runtime';
import { ValidationModule } from './validation.module';

void startStage(ValidationModule, { stage: 'validation', httpPort: servicePort('validation') });
