import {
  Global,
  Inject,
  Module,
  Optional,
  type DynamicModule,
  type OnApplicationShutdown,
  type Provider,
} from '@nestjs/common';
import { ArtifactStore, createS3Client, type ArtifactRetryEvent } from '@netsentry/artifacts';
import { LOGGER, type Logger } from '@netsentry/observability';
import { loadConfig, s3Section } from '@netsentry/config';
import { RecordStore } from '@netsentry/records';
import { Registry } from '@netsentry/registry';
import type { RuntimeLogger } from './ports';
import { errorJson } from './stage-pipeline';
import { PROVIDED_RESOURCES, STAGE_RESOURCES, StageResources, type Env } from './stage-resources';

/** Injection tokens of the shared stores (`@Inject(ARTIFACT_STORE) artifacts: ArtifactStore`). */
export const ARTIFACT_STORE = Symbol('ARTIFACT_STORE');
export const REGISTRY = Symbol('REGISTRY');
export const RECORD_STORE = Symbol('RECORD_STORE');

/** The stores a stage can ask for. */
export type StoreName = 'artifacts' | 'registry' | 'records';

/** The connections and stores every stage shares: artifacts on S3, the registry and records on MongoDB. */
export interface Stores {
  readonly artifacts: ArtifactStore;
  readonly registry: Registry;
  readonly records: RecordStore;
  close(): Promise<void>;
}

/** Opens the artifact store from `NETSENTRY_S3_*` (fails fast naming bad variables) and ensures its bucket. */
export async function openArtifactStore(
  env: Env = process.env,
  logger?: Pick<RuntimeLogger, 'warn'>,
): Promise<ArtifactStore> {
  const s3 = loadConfig(s3Section(), env);
  const artifacts = new ArtifactStore({
    client: createS3Client(s3),
    bucket: s3.bucket,
    // Each pause of the store's own retries (a transient S3 failure) is a warning an operator can see.
    ...(logger === undefined
      ? {}
      : {
          retry: {
            onRetry: (e: ArtifactRetryEvent) =>
              logger.warn(
                {
                  operation: e.operation,
                  attempt: e.attempt,
                  maxAttempts: e.maxAttempts,
                  delayMs: e.delayMs,
                  err: errorJson(e.error),
                },
                'S3 request failed; retrying',
              ),
          },
        }),
  });
  await artifacts.ensureBucket();
  return artifacts;
}

/** Opens every store from `NETSENTRY_S3_*` and `NETSENTRY_MONGO_*`, on one MongoDB client (tests, tools). */
export async function openStores(env: Env = process.env): Promise<Stores> {
  const resources = new StageResources(env);
  const artifacts = await openArtifactStore(env);
  const db = await resources.mongoDb();
  const registry = await Registry.connect(db.client, resources.mongoSettings.database);
  const records = new RecordStore(db);
  return { artifacts, registry, records, close: () => resources.close() };
}

const FACTORIES: Record<StoreName, Provider> = {
  artifacts: {
    provide: ARTIFACT_STORE,
    useFactory: (r: StageResources, logger?: Logger) => openArtifactStore(r.env, logger),
    inject: [STAGE_RESOURCES, { token: LOGGER, optional: true }],
  },
  registry: {
    provide: REGISTRY,
    useFactory: async (r: StageResources) => {
      const db = await r.mongoDb();
      return Registry.connect(db.client, r.mongoSettings.database);
    },
    inject: [STAGE_RESOURCES],
  },
  records: {
    provide: RECORD_STORE,
    useFactory: async (r: StageResources) => new RecordStore(await r.mongoDb()),
    inject: [STAGE_RESOURCES],
  },
};
const TOKENS: Record<StoreName, symbol> = {
  artifacts: ARTIFACT_STORE,
  registry: REGISTRY,
  records: RECORD_STORE,
};

/**
 * The process's StageResources: the one runStage provides, else one of its own from process.env (a Nest
 * app built without runStage), closed with the app.
 */
@Global()
@Module({
  providers: [
    {
      provide: STAGE_RESOURCES,
      useFactory: (given?: StageResources) => given ?? new StageResources(process.env),
      inject: [{ token: PROVIDED_RESOURCES, optional: true }],
    },
  ],
  exports: [STAGE_RESOURCES],
})
class ResourcesModule implements OnApplicationShutdown {
  constructor(
    @Inject(STAGE_RESOURCES) private readonly resources: StageResources,
    @Optional() @Inject(PROVIDED_RESOURCES) private readonly provided?: StageResources,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    // runStage closes the resources it provides after the transport has drained.
    if (this.provided === undefined) await this.resources.close();
  }
}

const ALL: StoreName[] = ['artifacts', 'registry', 'records'];

/** The stores, as injected providers: `imports: [StoresModule]` gives all three. */
@Global()
@Module({
  imports: [ResourcesModule],
  providers: ALL.map((s) => FACTORIES[s]),
  exports: ALL.map((s) => TOKENS[s]),
})
export class StoresModule {
  /** Only the stores a stage needs (`StoresModule.with('artifacts', 'registry')`: inference opens no record store). */
  static with(...stores: StoreName[]): DynamicModule {
    return {
      module: SelectedStoresModule,
      global: true,
      imports: [ResourcesModule],
      providers: stores.map((s) => FACTORIES[s]),
      exports: stores.map((s) => TOKENS[s]),
    };
  }
}

@Module({})
class SelectedStoresModule {}
