import { servicePort } from '@netsentry/contracts';
import { runStage } from '@netsentry/runtime';
import { IngestionModule } from './ingestion.module';

void runStage(IngestionModule, { stage: 'ingestion', httpPort: servicePort('ingestion') });
