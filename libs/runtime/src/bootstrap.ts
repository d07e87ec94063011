import 'reflect-metadata';
import { Module, type DynamicModule, type INestApplication, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  kafkaSection,
  loadConfig,
  mongoSection,
  secretValues,
  serviceSection,
  type KafkaSettings,
  type MongoSettings,
  type ServiceSettings,
} from '@netsentry/config';
import {
  HealthRegistry,
  LOGGER,
  Metrics,
  NestPinoLogger,
  ObservabilityModule,
  logContext,
  type Logger,
} from '@netsentry/observability';
import { MongoStageExecutionStore, RunRepository } from '@netsentry/registry';
import { kafkaClientSection } from './batch-client';
import { createKafka } from './kafka-factory';
import { observabilityMetrics } from './metrics';
import { provisionTopics } from './provisioning';
import { enableShutdownHooks } from './shutdown';
import { registryRunFailures } from './run-failures';
import { PROVIDED_RESOURCES, StageResources } from './stage-resources';
import type { LogFields } from './stage-pipeline';
import { KafkaAvroTransport, type KafkaAvroTransportOptions } from './transport';

export interface RunStageOptions extends Pick<
  KafkaAvroTransportOptions,
  | 'deadLetterTopic'
  | 'retry'
  | 'maxDeliveries'
  | 'exactlyOnce'
  | 'consumer'
  | 'shutdownTimeoutMs'
  | 'transactionalId'
  | 'fromBeginning'
  | 'batch'
> {
  /** Service name: `trainer`, `inference`, … (stage name, client id, consumer group, log/metric label). */
  stage: string;
  /** Default HTTP port of /metrics, /healthz, /readyz (NETSENTRY_HTTP_PORT overrides). */
  httpPort: number;
  /** Default code version (NETSENTRY_SERVICE_VERSION overrides). */
  version?: string;
  /** 'mongo' (default): the idempotency ledger in MongoDB (NETSENTRY_MONGO_*); 'none': Kafka transactions only. */
  ledger?: 'mongo' | 'none';
  /** Create/grow the catalogue topics before consuming (default true). */
  provision?: boolean;
  env?: Readonly<Record<string, string | undefined>>;
  /**
   * Batch consumers (@StageBatchHandler) join their group once this resolves; it gets the app so it can
   * wait on a provider (inference: until a model is loaded).
   */
  batchGate?: (app: INestApplication) => Promise<void>;
  /** HTTP server settings: `bodyParser: false` for controllers that read their bodies themselves; `configure` runs before listen (OpenAPI). */
  http?: { bodyParser?: boolean; configure?: (app: INestApplication) => void };
}

export interface RunningStage {
  app: INestApplication;
  transport: KafkaAvroTransport;
  config: { service: ServiceSettings; kafka: KafkaSettings; mongo: MongoSettings | null };
  logger: Logger;
}

@Module({})
class StageRootModule {}

@Module({})
class ProvidedResourcesModule {}

/**
 * The whole start-up of a stage service, for its main.ts: config from the environment (fails fast, naming
 * every bad variable) → Nest hybrid app with the service module and observability (pino logger, /metrics,
 * /healthz, /readyz) → topic provisioning → ledger → Kafka/Avro transport → HTTP; graceful SIGTERM.
 */
export async function runStage(
  module: Type | DynamicModule,
  options: RunStageOptions,
): Promise<RunningStage> {
  const env = options.env ?? process.env;
  const service = serviceSection({
    name: options.stage,
    httpPort: options.httpPort,
    ...(options.version === undefined ? {} : { version: options.version }),
  });
  const base = loadConfig(
    { service, kafka: kafkaSection({ clientId: options.stage }), kafkaClient: kafkaClientSection() },
    env,
  );
  const mongo = (options.ledger ?? 'mongo') === 'mongo' ? loadConfig(mongoSection(), env) : null;
  const config = { ...base, mongo };
  // A stage without the ledger may still open stores on MongoDB later (inference's registry): its
  // credentials are scrubbed from the logs all the same.
  const mongoSecrets =
    mongo ?? (env.NETSENTRY_MONGO_URI === undefined ? null : tryLoad(() => loadConfig(mongoSection(), env)));
  const secrets = [...secretValues(base), ...(mongoSecrets === null ? [] : secretValues(mongoSecrets))];
  // One environment and one MongoDB client for the ledger and every store the service module asks for.
  const resources = new StageResources(env);

  const app = await NestFactory.create(
    {
      module: StageRootModule,
      imports: [
        {
          module: ProvidedResourcesModule,
          global: true,
          providers: [{ provide: PROVIDED_RESOURCES, useValue: resources }],
          exports: [PROVIDED_RESOURCES],
        },
        module,
        ObservabilityModule.forRoot({
          service: options.stage,
          version: config.service.version,
          logLevel: config.service.logLevel,
          secrets,
        }),
      ],
    },
    {
      bufferLogs: true,
      // A provider that fails (bad config in a section) rejects this call instead of Nest printing its
      // buffered console lines and exiting: startStage logs it as one JSON line.
      abortOnError: false,
      autoFlushLogs: false,
      ...(options.http?.bodyParser === false ? { bodyParser: false } : {}),
    },
  );
  app.useLogger(app.get(NestPinoLogger));
  const logger = app.get<Logger>(LOGGER);
  const health = app.get(HealthRegistry);

  const kafka = createKafka(config.kafka, logger);
  if (options.provision ?? true) {
    const admin = kafka.admin();
    await admin.connect();
    try {
      await provisionTopics(admin, config.kafka.topicPrefix, undefined, { logger });
    } finally {
      await admin.disconnect();
    }
  }

  let ledger: MongoStageExecutionStore | null = null;
  let runs: RunRepository | null = null;
  if (mongo !== null) {
    const db = await resources.mongoDb();
    ledger = new MongoStageExecutionStore(db);
    await ledger.ensureIndexes();
    runs = new RunRepository(db);
  }
  if (resources.mongoOpened) {
    const db = await resources.mongoDb();
    health.register('mongodb', async () => {
      await db.command({ ping: 1 });
    });
  }

  const { batchGate, http, ...transportOptions } = options;
  const transport = new KafkaAvroTransport({
    ...transportOptions,
    kafka,
    stage: options.stage,
    producer: { service: options.stage, version: config.service.version },
    topicPrefix: config.kafka.topicPrefix,
    instanceId: config.service.instanceId,
    batchClient: { setting: base.kafkaClient, kafka: config.kafka, env },
    ledger,
    runs: runs === null ? null : registryRunFailures(runs),
    ...(batchGate === undefined ? {} : { batchGate: () => batchGate(app) }),
    logger,
    metrics: observabilityMetrics(app.get(Metrics)),
    health,
    runInContext: (fields: LogFields, work) =>
      logContext.run(
        {
          correlationId: fields.correlationId,
          eventId: fields.eventId,
          topic: fields.topic,
          ...(fields.causationId === null ? {} : { causationId: fields.causationId }),
          ...(fields.runId === null ? {} : { runId: fields.runId }),
        },
        work,
      ),
  });
  app.connectMicroservice({ strategy: transport });
  // The transport first: it stops fetching and lets in-flight work finish while the service's providers
  // (worker pools, stores) are still open. Nest's app.close() runs the modules' destroy hooks before it
  // closes microservices, so a trainer's pool would close under its running search, which then failed and
  // was retried during the shutdown.
  const closeInOrder = {
    close: async (): Promise<void> => {
      await transport.close();
      await app.close();
    },
  };
  enableShutdownHooks(closeInOrder, {
    logger,
    health,
    timeoutMs: (options.shutdownTimeoutMs ?? 25_000) + 5_000,
    afterClose: () => resources.close(),
  });
  http?.configure?.(app);
  await app.startAllMicroservices();
  await app.listen(config.service.http.port, config.service.http.host);
  logger.info({ port: config.service.http.port, groupId: transport.groupId }, 'stage started');
  return { app, transport, config, logger };
}

/** The section, or null when it does not load (the store that needs it then fails fast with the reasons). */
function tryLoad<T>(load: () => T): T | null {
  try {
    return load();
  } catch {
    return null;
  }
}
