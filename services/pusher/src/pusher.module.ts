import { Module } from '@nestjs/common';
import type { ArtifactStore } from '@netsentry/artifacts';
import { Metrics } from '@netsentry/observability';
import type { Registry } from '@netsentry/registry';
import {
  AdminCommandGuard,
  ARTIFACT_STORE,
  configProvider,
  REGISTRY,
  STAGE_RESOURCES,
  StoresModule,
  type StageResources,
} from '@netsentry/runtime';
import { ModelDatasets } from './model-datasets';
import { ProductionAtStart } from './production-at-start';
import { ProductionRelease } from './production-release';
import { PushAcceptedModel } from './push-accepted-model';
import { PUSHER_SETTINGS, pusherSection, type PusherSettings } from './pusher.config';
import { PusherController } from './pusher.controller';
import { PusherMetrics } from './pusher.metrics';
import { RollbackOrPromote } from './rollback-or-promote';
import { BundleVerifier } from './verification/bundle-verifier';

@Module({
  imports: [StoresModule.with('artifacts', 'registry')],
  controllers: [PusherController],
  providers: [
    configProvider(PUSHER_SETTINGS, pusherSection),
    {
      provide: PusherMetrics,
      useFactory: (metrics?: Metrics) => new PusherMetrics(metrics),
      inject: [{ token: Metrics, optional: true }],
    },
    {
      provide: ModelDatasets,
      useFactory: (artifacts: ArtifactStore) => new ModelDatasets(artifacts),
      inject: [ARTIFACT_STORE],
    },
    {
      provide: BundleVerifier,
      useFactory: (artifacts: ArtifactStore, registry: Registry, s: PusherSettings, metrics: PusherMetrics) =>
        new BundleVerifier(artifacts, registry, s.verifier, metrics),
      inject: [ARTIFACT_STORE, REGISTRY, PUSHER_SETTINGS, PusherMetrics],
    },
    {
      provide: ProductionRelease,
      useFactory: (
        artifacts: ArtifactStore,
        registry: Registry,
        datasets: ModelDatasets,
        s: PusherSettings,
        metrics: PusherMetrics,
      ) => new ProductionRelease(artifacts, registry, datasets, s.productionPrefix, metrics),
      inject: [ARTIFACT_STORE, REGISTRY, ModelDatasets, PUSHER_SETTINGS, PusherMetrics],
    },
    {
      provide: AdminCommandGuard,
      useFactory: (registry: Registry, resources: StageResources, metrics?: Metrics) =>
        AdminCommandGuard.fromEnv('pusher', registry, metrics, resources.env),
      inject: [REGISTRY, STAGE_RESOURCES, { token: Metrics, optional: true }],
    },
    PushAcceptedModel,
    RollbackOrPromote,
    ProductionAtStart,
  ],
})
export class PusherModule {}
