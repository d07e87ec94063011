import { MissingKeyError } from './errors';
import { TOPIC_NAMES, type EventByTopic, type TopicName } from './generated/types';

/** The seven services, plus the operator CLI and clients outside the system (sensors, proxies, dashboards). */
export type ServiceName =
  | 'ingestion'
  | 'validation'
  | 'transform'
  | 'trainer'
  | 'evaluator'
  | 'pusher'
  | 'inference'
  | 'cli'
  | 'external';

/** event: a pipeline fact; quarantine: a stage's rejected output; dlq: unprocessable messages; command: an instruction. */
export type TopicRole = 'event' | 'quarantine' | 'dlq' | 'command';

export type Retention = { cleanupPolicy: 'delete'; retentionMs: number } | { cleanupPolicy: 'compact' };

export interface TopicKey {
  /** Dot path of the event field whose value is the Kafka message key. */
  path: string;
  /** Whether the key may be null (Kafka then spreads messages over partitions). */
  nullable: boolean;
  /** Why this key: the ordering and co-location it buys. */
  why: string;
}

export interface TopicSpec {
  /** Topic name without the deployment prefix; see topicName(). */
  name: TopicName;
  role: TopicRole;
  /** Full name of the topic's Avro record (record-name subject strategy; independent of the prefix). */
  subject: string;
  key: TopicKey;
  partitions: number;
  retention: Retention;
  producers: readonly ServiceName[];
  consumers: readonly ServiceName[];
  description: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const RUN_KEY: TopicKey = {
  path: 'envelope.runId',
  nullable: false,
  why: 'run id: the events of one run stay in order on one partition',
};
const PIPELINE: Pick<TopicSpec, 'key' | 'partitions' | 'retention'> = {
  key: RUN_KEY,
  partitions: 3,
  retention: { cleanupPolicy: 'delete', retentionMs: 30 * DAY_MS },
};
const subject = (record: string): string => `io.netsentry.events.${record}`;

/** Every topic on the bus. Provisioning, the docs and the tests all read this. */
export const TOPIC_CATALOGUE: { readonly [T in TopicName]: TopicSpec & { name: T } } = {
  'admin.commands': {
    name: 'admin.commands',
    role: 'command',
    subject: subject('AdminCommand'),
    key: {
      path: 'envelope.eventId',
      nullable: false,
      why: 'command id; one partition keeps commands in order',
    },
    partitions: 1,
    retention: { cleanupPolicy: 'delete', retentionMs: 30 * DAY_MS },
    producers: ['cli', 'inference'],
    consumers: ['ingestion', 'pusher'],
    description:
      "Signed (HMAC-SHA256) RETRAIN (ingestion starts a run), ROLLBACK and PROMOTE (pusher moves a dataset's production alias).",
  },
  'data.ingested': {
    name: 'data.ingested',
    role: 'event',
    subject: subject('DataIngested'),
    ...PIPELINE,
    producers: ['ingestion'],
    consumers: ['validation'],
    description: 'A dataset snapshot and its train/test split were written to S3.',
  },
  'data.validated': {
    name: 'data.validated',
    role: 'event',
    subject: subject('DataValidated'),
    ...PIPELINE,
    producers: ['validation'],
    consumers: ['transform'],
    description: 'The snapshot passed schema and drift checks.',
  },
  'data.quarantined': {
    name: 'data.quarantined',
    role: 'quarantine',
    subject: subject('DataQuarantined'),
    ...PIPELINE,
    retention: { cleanupPolicy: 'delete', retentionMs: 90 * DAY_MS },
    producers: ['validation'],
    consumers: ['cli'],
    description:
      'The snapshot was invalid or drifted beyond policy; the run stops. Kept longer for investigation.',
  },
  'data.transformed': {
    name: 'data.transformed',
    role: 'event',
    subject: subject('DataTransformed'),
    ...PIPELINE,
    producers: ['transform'],
    consumers: ['trainer'],
    description: 'The preprocessor was fitted on train; transformed and rebalanced splits were written.',
  },
  'model.trained': {
    name: 'model.trained',
    role: 'event',
    subject: subject('ModelTrained'),
    ...PIPELINE,
    producers: ['trainer'],
    consumers: ['evaluator'],
    description:
      'The best candidate of the hyperparameter search, bundled with its preprocessor and profile.',
  },
  'model.accepted': {
    name: 'model.accepted',
    role: 'event',
    subject: subject('ModelAccepted'),
    ...PIPELINE,
    producers: ['evaluator'],
    consumers: ['pusher'],
    description: 'The candidate cleared the floors and beat production by the margin.',
  },
  'model.quarantined': {
    name: 'model.quarantined',
    role: 'quarantine',
    subject: subject('ModelQuarantined'),
    ...PIPELINE,
    retention: { cleanupPolicy: 'delete', retentionMs: 90 * DAY_MS },
    producers: ['evaluator'],
    consumers: ['cli'],
    description: 'The candidate was rejected, with reasons in words; production is unchanged.',
  },
  'model.pushed': {
    name: 'model.pushed',
    role: 'event',
    subject: subject('ModelPushed'),
    key: {
      path: 'alias',
      nullable: false,
      why: 'alias (production-<dataset>): compaction keeps the latest push of each dataset for new replicas',
    },
    partitions: 1,
    retention: { cleanupPolicy: 'compact' },
    producers: ['pusher'],
    consumers: ['inference'],
    description: 'The production alias moved (push, rollback or promote). Every inference replica reads it.',
  },
  'traffic.records': {
    name: 'traffic.records',
    role: 'event',
    subject: subject('TrafficRecord'),
    key: {
      path: 'recordId',
      nullable: false,
      why: 'record id: spreads load; the prediction uses the same key',
    },
    partitions: 12,
    retention: { cleanupPolicy: 'delete', retentionMs: 7 * DAY_MS },
    producers: ['external', 'cli'],
    consumers: ['inference'],
    description: 'Live network records to score.',
  },
  'traffic.predictions': {
    name: 'traffic.predictions',
    role: 'event',
    subject: subject('TrafficPrediction'),
    key: { path: 'recordId', nullable: false, why: 'record id: co-partitioned with traffic.records' },
    partitions: 12,
    retention: { cleanupPolicy: 'delete', retentionMs: 7 * DAY_MS },
    producers: ['inference'],
    consumers: ['external', 'cli'],
    description: 'One verdict per traffic record.',
  },
  'traffic.dlq': {
    name: 'traffic.dlq',
    role: 'dlq',
    subject: subject('DeadLetter'),
    key: {
      path: 'originalKey',
      nullable: true,
      why: 'the original key, unchanged, so a replay lands where it would have',
    },
    partitions: 3,
    retention: { cleanupPolicy: 'delete', retentionMs: 30 * DAY_MS },
    producers: ['inference'],
    consumers: ['cli'],
    description:
      'Records that could not be decoded or scored, byte-for-byte, with the error code and reason.',
  },
  'pipeline.dlq': {
    name: 'pipeline.dlq',
    role: 'dlq',
    subject: subject('PipelineDeadLetter'),
    key: {
      path: 'originalKey',
      nullable: true,
      why: 'the original key (the run id), so the dead letters of a run stay in order',
    },
    partitions: 3,
    retention: { cleanupPolicy: 'delete', retentionMs: 90 * DAY_MS },
    producers: ['ingestion', 'validation', 'transform', 'trainer', 'evaluator', 'pusher'],
    consumers: ['cli'],
    description:
      'Pipeline events a stage could not decode, or whose handler kept failing after bounded retries, byte-for-byte with the error.',
  },
  'monitoring.drift': {
    name: 'monitoring.drift',
    role: 'event',
    subject: subject('DriftAlert'),
    key: {
      path: 'modelVersion',
      nullable: false,
      why: 'model version: the windows of one model stay in order',
    },
    partitions: 1,
    retention: { cleanupPolicy: 'delete', retentionMs: 30 * DAY_MS },
    producers: ['inference'],
    consumers: ['cli'],
    description: 'Live feature drift of a traffic window against the production training profile.',
  },
};

/** Catalogue entries in TOPIC_NAMES order. */
export function topicSpecs(): TopicSpec[] {
  return TOPIC_NAMES.map((name) => TOPIC_CATALOGUE[name]);
}

const PREFIX = /^[A-Za-z0-9._-]*$/;

/**
 * The Kafka topic name in a deployment: `<prefix>.<topic>`, or the bare topic with an empty prefix
 * (a trailing '.' on the prefix is tolerated). Separate prefixes let environments share a cluster.
 */
export function topicName(prefix: string, topic: TopicName): string {
  if (!PREFIX.test(prefix)) throw new Error(`topic prefix '${prefix}' may only contain [A-Za-z0-9._-]`);
  const trimmed = prefix.replace(/\.+$/, '');
  return trimmed === '' ? topic : `${trimmed}.${topic}`;
}

/** Topic-level Kafka configs for provisioning (`cleanup.policy`, `retention.ms`). */
export function topicConfig(spec: TopicSpec): Record<string, string> {
  return spec.retention.cleanupPolicy === 'compact'
    ? { 'cleanup.policy': 'compact' }
    : { 'cleanup.policy': 'delete', 'retention.ms': String(spec.retention.retentionMs) };
}

export type MessageKey = string | Buffer | null;

/** The Kafka message key for an event, as the catalogue defines it. Throws MissingKeyError for a required key. */
export function messageKey<T extends TopicName>(topic: T, event: EventByTopic[T]): MessageKey {
  const { path, nullable } = TOPIC_CATALOGUE[topic].key;
  let value: unknown = event;
  for (const part of path.split('.')) {
    value =
      typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[part] : undefined;
  }
  if (typeof value === 'string' || Buffer.isBuffer(value)) return value;
  if ((value === null || value === undefined) && nullable) return null;
  throw new MissingKeyError(topic, path);
}

/** The catalogue as a Markdown table (embedded in the docs; a test keeps them in sync). */
export function renderCatalogueMarkdown(prefix = ''): string {
  const rows = topicSpecs().map((spec) =>
    [
      `\`${topicName(prefix, spec.name)}\``,
      spec.role,
      `\`${spec.subject.slice(spec.subject.lastIndexOf('.') + 1)}\``,
      `\`${spec.key.path}\`${spec.key.nullable ? ' (nullable)' : ''}`,
      String(spec.partitions),
      renderRetention(spec.retention),
      spec.producers.join(', '),
      spec.consumers.join(', '),
      spec.description,
    ]
      .map((cell) => cell.replaceAll('|', '\\|'))
      .join(' | '),
  );
  return [
    '| Topic | Role | Schema | Key | Partitions | Retention | Producers | Consumers | Description |',
    '| --- | --- | --- | --- | --: | --- | --- | --- | --- |',
    ...rows.map((row) => `| ${row} |`),
  ].join('\n');
}

function renderRetention(retention: Retention): string {
  if (retention.cleanupPolicy === 'compact') return 'compacted';
  const days = retention.retentionMs / DAY_MS;
  return Number.isInteger(days) ? `${days} d` : `${retention.retentionMs} ms`;
}
