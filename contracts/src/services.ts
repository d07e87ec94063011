import type { ServiceName } from './catalogue';
import type { TopicName } from './generated/types';

/** The seven services of the system (the catalogue's producers and consumers less the CLI and outsiders). */
export type SystemServiceName = Exclude<ServiceName, 'cli' | 'external'>;

/**
 * The configuration sections a service reads at start-up, by their variables:
 * service `NETSENTRY_HTTP_*`, `NETSENTRY_LOG_LEVEL`, `NETSENTRY_SERVICE_VERSION`; kafka `NETSENTRY_KAFKA_*`,
 * `NETSENTRY_TOPIC_PREFIX`; mongo `NETSENTRY_MONGO_*`; s3 `NETSENTRY_S3_*`; own `NETSENTRY_<SERVICE>_*`.
 */
export type ConfigSectionName = 'service' | 'kafka' | 'mongo' | 's3' | 'own';

/**
 * How a service turns at-least-once delivery into exactly-once effects. Both commit the consumed offsets
 * inside a Kafka transaction with the events produced (so each replica needs a stable transactional id);
 * `transactions-and-ledger` also records each handled event id in the MongoDB idempotency ledger, because
 * the stage's side effects (S3 objects, registry documents) live outside Kafka.
 */
export type DeliveryMode = 'transactions-and-ledger' | 'transactions';

/** stage: one step of the training pipeline, one replica; serving: scores live traffic, scaled out. */
export type ServiceRole = 'stage' | 'serving';

export interface ServiceSpec {
  readonly name: SystemServiceName;
  readonly role: ServiceRole;
  /** Port of /metrics, /healthz and /readyz (NETSENTRY_HTTP_PORT overrides it). */
  readonly httpPort: number;
  /** The topics it consumes (without the deployment prefix). */
  readonly inputTopics: readonly TopicName[];
  /** Where it dead-letters what it cannot handle. */
  readonly deadLetterTopic: TopicName;
  readonly configSections: readonly ConfigSectionName[];
  readonly delivery: DeliveryMode;
  readonly description: string;
}

const STAGE_CONFIG: readonly ConfigSectionName[] = ['service', 'kafka', 'mongo', 's3', 'own'];

/**
 * Every service, described once. main.ts takes its port from here, and the CLI its default service URLs;
 * docker-compose.yml, deploy/k8s/ and the Prometheus scrape configs are checked against it by
 * deploy/test/catalogue.test.ts, so a drift between them fails CI.
 */
export const SERVICE_CATALOGUE: { readonly [S in SystemServiceName]: ServiceSpec & { name: S } } = {
  ingestion: {
    name: 'ingestion',
    role: 'stage',
    httpPort: 8081,
    inputTopics: ['admin.commands'],
    deadLetterTopic: 'pipeline.dlq',
    configSections: STAGE_CONFIG,
    delivery: 'transactions-and-ledger',
    description: 'Starts a run on RETRAIN: snapshots the dataset and writes the train/test split to S3.',
  },
  validation: {
    name: 'validation',
    role: 'stage',
    httpPort: 8082,
    inputTopics: ['data.ingested'],
    deadLetterTopic: 'pipeline.dlq',
    configSections: STAGE_CONFIG,
    delivery: 'transactions-and-ledger',
    description: 'Checks the snapshot against the schema and for drift; validates or quarantines it.',
  },
  transform: {
    name: 'transform',
    role: 'stage',
    httpPort: 8083,
    inputTopics: ['data.validated'],
    deadLetterTopic: 'pipeline.dlq',
    configSections: STAGE_CONFIG,
    delivery: 'transactions-and-ledger',
    description: 'Fits the preprocessor on train and writes the transformed, rebalanced splits.',
  },
  trainer: {
    name: 'trainer',
    role: 'stage',
    httpPort: 8084,
    inputTopics: ['data.transformed'],
    deadLetterTopic: 'pipeline.dlq',
    configSections: STAGE_CONFIG,
    delivery: 'transactions-and-ledger',
    description: 'Searches hyperparameters per candidate with CV, refits the best, writes the bundle.',
  },
  evaluator: {
    name: 'evaluator',
    role: 'stage',
    httpPort: 8085,
    inputTopics: ['model.trained'],
    deadLetterTopic: 'pipeline.dlq',
    configSections: STAGE_CONFIG,
    delivery: 'transactions-and-ledger',
    description: 'Scores the candidate against production on the test set; accepts or quarantines it.',
  },
  pusher: {
    name: 'pusher',
    role: 'stage',
    httpPort: 8086,
    inputTopics: ['model.accepted', 'admin.commands'],
    deadLetterTopic: 'pipeline.dlq',
    configSections: STAGE_CONFIG,
    delivery: 'transactions-and-ledger',
    description: 'Verifies an accepted model and moves the production alias; ROLLBACK and PROMOTE.',
  },
  inference: {
    name: 'inference',
    role: 'serving',
    httpPort: 8087,
    inputTopics: ['traffic.records', 'model.pushed'],
    deadLetterTopic: 'traffic.dlq',
    configSections: ['service', 'kafka', 'mongo', 's3', 'own'],
    delivery: 'transactions',
    description:
      'Scores live traffic with the production model, hot-swaps it on model.pushed, watches drift.',
  },
};

/** The services in pipeline order, inference last. */
export function serviceSpecs(): ServiceSpec[] {
  return Object.values(SERVICE_CATALOGUE);
}

/** A service's default HTTP port, for its main.ts. */
export function servicePort(name: SystemServiceName): number {
  return SERVICE_CATALOGUE[name].httpPort;
}
