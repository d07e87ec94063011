import { servicePort } from '@netsentry/contracts';
import { startStage } from '@netsentry/runtime';
import { IngestionModule } from './ingestion.module';

void startStage(IngestionModule, { stage: 'ingestion', httpPort: servicePort('ingestion') });
