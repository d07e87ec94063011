import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { ArtifactStore } from '@netsentry/artifacts';
import type { ArtifactRef } from '@netsentry/contracts';
import { parseDatasetSchema, type DatasetSchema } from '@netsentry/dataset';
import { openBundle, parseBundle, type ModelBundle, type OpenBundle } from '@netsentry/ml';
import { LOGGER, type Logger } from '@netsentry/observability';
import { ARTIFACT_STORE } from '@netsentry/runtime';
import { INFERENCE_CONFIG, type InferenceSettings } from '../inference.config';
import { InferenceMetrics } from '../inference.metrics';
import { RecordChecker } from '../records/record-checker';
import { CHUNK_SCORER, type ChunkScorer, type ModelSource } from '../scoring/chunk-scorer';
import type { ServedModel } from '../scoring/scorer.port';
import { PRODUCTION_SOURCE, type ProductionSource } from './production-source';

/** Everything needed to score with one model version; immutable once published. */
export interface LoadedModel extends ServedModel {
  readonly bundle: ModelBundle;
  readonly scorer: OpenBundle;
  readonly schema: DatasetSchema;
  readonly checker: RecordChecker;
  readonly loadedAt: number;
}

/** Why a bundle was not swapped in (the old model keeps serving). */
export class ModelRefusedError extends Error {
  readonly code = 'MODEL_REFUSED';
  constructor(message: string) {
    super(message);
    this.name = 'ModelRefusedError';
  }
}

// A replaced model is released a little later: a scoring call that picked it up just before the swap
// finishes with it (scoring is synchronous, so this is belt and braces).
const RELEASE_DELAY_MS = 2_000;

/**
 * The model this instance serves. Loads the production bundle of its dataset at start and again whenever
 * `refresh()` is called (on model.pushed): the new bundle, its schema and its checker are built completely
 * in the background and then published with one assignment, so scoring never pauses and never sees a
 * half-loaded model. A bundle that fails to load, or serves another dataset, is refused: the old model keeps
 * serving, with a warning log and the swap metric.
 */
@Injectable()
export class ModelHolder implements OnApplicationShutdown {
  private model: LoadedModel | null = null;
  private refreshing: Promise<void> | null = null;
  private again = false;
  private readonly loaded: Promise<void>;
  private markLoaded!: () => void;
  private closed = false;

  constructor(
    @Inject(INFERENCE_CONFIG) private readonly config: InferenceSettings,
    @Inject(PRODUCTION_SOURCE) private readonly source: ProductionSource,
    @Inject(ARTIFACT_STORE) private readonly artifacts: ArtifactStore,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly metrics: InferenceMetrics,
    @Inject(CHUNK_SCORER) private readonly chunks: ChunkScorer,
  ) {
    this.loaded = new Promise((resolve) => (this.markLoaded = resolve));
  }

  /** The model being served, or null while none is loaded. Take it once per batch. */
  get current(): LoadedModel | null {
    return this.model;
  }

  /** The dataset this instance serves. */
  get dataset(): string {
    return this.config.dataset;
  }

  /** Resolves once a model is loaded: the traffic consumer joins its group only then. */
  get ready(): Promise<void> {
    return this.loaded;
  }

  /**
   * Loads the dataset's production model if it is not the one served. Concurrent calls coalesce: one load
   * at a time, and a call during a load causes one more check after it.
   */
  refresh(trigger: string): Promise<void> {
    if (this.refreshing !== null) {
      this.again = true;
      return this.refreshing;
    }
    this.refreshing = (async () => {
      try {
        do {
          this.again = false;
          await this.refreshOnce(trigger);
        } while (this.again && !this.closed);
      } finally {
        this.refreshing = null;
      }
    })();
    return this.refreshing;
  }

  onApplicationShutdown(): void {
    this.closed = true;
  }

  private async refreshOnce(trigger: string): Promise<void> {
    const dataset = this.config.dataset;
    const production = await this.source.production(dataset);
    if (production === null) {
      if (this.model === null)
        this.logger.info({ dataset, trigger }, 'no production model yet; waiting for model.pushed');
      return;
    }
    if (this.model?.version === production.version) return;
    const started = Date.now();
    let next: LoadedModel;
    try {
      const loaded = await this.load(production.version, production.bundle);
      next = loaded.model;
      // The stream's scoring thread builds the same model before any chunk is scored with it.
      await this.chunks.load(next, loaded.source).catch((error: unknown) => {
        next.scorer.free();
        throw error;
      });
    } catch (error) {
      const refused = error instanceof ModelRefusedError;
      this.metrics.swap(refused ? 'refused' : 'failed');
      this.logger.warn(
        {
          dataset,
          version: production.version,
          serving: this.model?.version ?? null,
          trigger,
          err: { name: (error as Error).name, message: (error as Error).message },
        },
        refused
          ? 'model refused; the current model keeps serving'
          : 'model failed to load; the current model keeps serving',
      );
      return;
    }
    const previous = this.model;
    this.model = next;
    this.metrics.swap('swapped');
    this.metrics.serving(next.version, next.dataset);
    this.logger.info(
      {
        dataset,
        version: next.version,
        previous: previous?.version ?? null,
        trigger,
        loadMs: Date.now() - started,
      },
      previous === null ? 'model loaded; serving' : 'model swapped',
    );
    this.markLoaded();
    if (previous !== null)
      setTimeout(() => {
        previous.scorer.free();
        this.chunks.release(previous);
      }, RELEASE_DELAY_MS).unref();
  }

  private async load(
    version: string,
    ref: ArtifactRef,
  ): Promise<{ model: LoadedModel; source: ModelSource }> {
    const bytes = await this.artifacts.getBuffer(ref);
    const bundle = parseBundle(bytes);
    if (bundle.dataset.name !== this.config.dataset) {
      throw new ModelRefusedError(
        `bundle ${version} serves dataset '${bundle.dataset.name}', this instance serves '${this.config.dataset}'`,
      );
    }
    const schemaRef = await this.source.schemaRef(bundle.training.runId);
    if (schemaRef === null)
      throw new ModelRefusedError(`no dataset schema recorded for run ${bundle.training.runId}`);
    const schemaText = (await this.artifacts.getBuffer(schemaRef)).toString('utf8');
    const schema = parseDatasetSchema(schemaText);
    if (schema.sha256 !== bundle.dataset.schemaSha256) {
      throw new ModelRefusedError(
        `the schema of run ${bundle.training.runId} (${schema.sha256.slice(0, 12)}) is not the one bundle ${version} was trained with (${bundle.dataset.schemaSha256.slice(0, 12)})`,
      );
    }
    const model = await buildLoadedModel(version, bundle, schema, this.config.jsonIgnoredKeys);
    return { model, source: { bundle: new Uint8Array(bytes), schemaText } };
  }
}

/** A bundle and its schema as a servable model: the bundle opened, the record checks built. */
export async function buildLoadedModel(
  version: string,
  bundle: ModelBundle,
  schema: DatasetSchema,
  ignoredFlatKeys: readonly string[],
): Promise<LoadedModel> {
  const scorer = await openBundle(bundle);
  const checker = new RecordChecker(schema, { ignoredFlatKeys });
  return {
    version,
    dataset: bundle.dataset.name,
    features: checker.features,
    featureSet: checker.featureSet,
    threshold: bundle.threshold,
    labels: { positive: bundle.classLabels.positive, negative: bundle.classLabels.negative },
    bundle,
    scorer,
    schema,
    checker,
    loadedAt: Date.now(),
  };
}
