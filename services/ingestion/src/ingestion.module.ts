import { Module } from '@nestjs/common';
import { Metrics } from '@netsentry/observability';
import type { Registry } from '@netsentry/registry';
import {
  AdminCommandGuard,
  configProvider,
  REGISTRY,
  STAGE_RESOURCES,
  StoresModule,
  type StageResources,
} from '@netsentry/runtime';
import { INGESTION_SETTINGS, ingestionSection } from './ingestion.config';
import { IngestionController } from './ingestion.controller';
import { StartRetrainRun } from './start-retrain-run';

@Module({
  imports: [StoresModule.with('records', 'artifacts', 'registry')],
  controllers: [IngestionController],
  providers: [
    configProvider(INGESTION_SETTINGS, ingestionSection),
    {
      provide: AdminCommandGuard,
      useFactory: (registry: Registry, resources: StageResources, metrics?: Metrics) =>
        AdminCommandGuard.fromEnv('ingestion', registry, metrics, resources.env),
      inject: [REGISTRY, STAGE_RESOURCES, { token: Metrics, optional: true }],
    },
    StartRetrainRun,
  ],
})
export class IngestionModule {}
