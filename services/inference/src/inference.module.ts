import { Inject, Module, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { HealthRegistry, LOGGER, type Logger } from '@netsentry/observability';
import type { Registry } from '@netsentry/registry';
import {
  configProvider,
  REGISTRY,
  STAGE_RESOURCES,
  StoresModule,
  type StageResources,
} from '@netsentry/runtime';
import { InferenceHttpModule } from './http/http.module';
import { PREDICT_LIMITS, predictLimitsSection } from './http/predict-limits';
import { INFERENCE_CONFIG, loadInferenceConfig, type InferenceSettings } from './inference.config';
import { InferenceMetrics } from './inference.metrics';
import { ModelHolder } from './model/model-holder';
import { PRODUCTION_SOURCE, RegistryProductionSource } from './model/production-source';
import { CHUNK_SCORER, InlineChunkScorer, ThreadChunkScorer, type ChunkScorer } from './scoring/chunk-scorer';
import { HttpScorer } from './scoring/http-scorer';
import { SCORER } from './scoring/scorer.port';
import { ENVELOPE_PRODUCER, ScoreTrafficBatch } from './stream/score-traffic-batch';
import { TrafficController } from './stream/traffic.controller';

/** The served model and the two ways to score with it: the stream's batches and the HTTP Scorer port. */
@Module({
  // S3 for bundles and the registry for the production alias; inference never touches the records store.
  imports: [StoresModule.with('artifacts', 'registry')],
  providers: [
    {
      provide: INFERENCE_CONFIG,
      useFactory: (r: StageResources) => loadInferenceConfig(r.env),
      inject: [STAGE_RESOURCES],
    },
    {
      provide: ENVELOPE_PRODUCER,
      useFactory: (r: StageResources) => ({
        service: 'inference',
        version: r.env.NETSENTRY_SERVICE_VERSION ?? 'dev',
      }),
      inject: [STAGE_RESOURCES],
    },
    {
      provide: PRODUCTION_SOURCE,
      useFactory: (registry: Registry) => new RegistryProductionSource(registry),
      inject: [REGISTRY],
    },
    {
      provide: CHUNK_SCORER,
      useFactory: (
        config: InferenceSettings,
        producer: { service: string; version: string },
        logger: Logger,
        metrics: InferenceMetrics,
      ): ChunkScorer => {
        metrics.scoringMode(config.scoringThread ? 'thread' : 'inline');
        if (!config.scoringThread) return new InlineChunkScorer(config, producer);
        const { dataset, drift, adminSecret, jsonIgnoredKeys } = config;
        return new ThreadChunkScorer(
          { config: { dataset, drift, adminSecret, jsonIgnoredKeys }, producer },
          {
            onCrash: (error) => {
              metrics.scoringThreadCrashed();
              logger.error(
                { err: { name: error.name, message: error.message } },
                'the scoring thread died; restarted with its models (the chunks it held are retried)',
              );
            },
          },
        );
      },
      inject: [INFERENCE_CONFIG, ENVELOPE_PRODUCER, LOGGER, InferenceMetrics],
    },
    InferenceMetrics,
    ModelHolder,
    ScoreTrafficBatch,
    HttpScorer,
    { provide: SCORER, useExisting: HttpScorer },
  ],
  exports: [SCORER, ModelHolder, ScoreTrafficBatch],
})
export class ScoringModule implements OnApplicationShutdown {
  constructor(@Inject(CHUNK_SCORER) private readonly chunks: ChunkScorer) {}

  async onApplicationShutdown(): Promise<void> {
    await this.chunks.close();
  }
}

@Module({
  imports: [
    ScoringModule,
    InferenceHttpModule.register({
      imports: [ScoringModule],
      providers: [configProvider(PREDICT_LIMITS, predictLimitsSection())],
    }),
  ],
  controllers: [TrafficController],
})
export class InferenceModule implements OnApplicationBootstrap {
  constructor(
    private readonly models: ModelHolder,
    @Inject(HealthRegistry) private readonly health: HealthRegistry,
  ) {}

  onApplicationBootstrap(): void {
    this.health.register('model', () => this.models.current !== null);
    void this.models.refresh('start');
  }
}
