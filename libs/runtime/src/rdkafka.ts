import { homedir } from 'node:os';
import { join } from 'node:path';

// The part of @confluentinc/kafka-javascript (librdkafka) the batch path uses, typed here: the package is not
// a dependency (its prebuilt binary comes from GitHub; see scripts/install-rdkafka.sh and decision 0096),
// so its own types are not in the build. Its KafkaJS-compatible API (`KafkaJS`), as of 1.10.

/** librdkafka configuration properties (CONFIGURATION.md), passed through as they are. */
export type RdkafkaProperties = Record<string, string | number | boolean>;

export interface RdkafkaLogger {
  info(message: string, extra?: object): void;
  error(message: string, extra?: object): void;
  warn(message: string, extra?: object): void;
  debug(message: string, extra?: object): void;
  namespace(): RdkafkaLogger;
  setLogLevel(level: number): void;
}

export interface RdkafkaTopicPartition {
  readonly topic: string;
  readonly partition: number;
}

export interface RdkafkaMessage {
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly offset: string;
  readonly timestamp: string;
}

export interface RdkafkaBatch {
  readonly topic: string;
  readonly partition: number;
  readonly highWatermark: string;
  readonly messages: readonly RdkafkaMessage[];
}

export interface RdkafkaEachBatchPayload {
  readonly batch: RdkafkaBatch;
  resolveOffset(offset: string): void;
  heartbeat(): Promise<void>;
  isRunning(): boolean;
  isStale(): boolean;
}

/** librdkafka's rebalance event: err.code is ERR__ASSIGN_PARTITIONS (-175) or ERR__REVOKE_PARTITIONS (-174). */
export interface RdkafkaRebalanceError {
  readonly code: number;
  readonly message: string;
}

export type RdkafkaRebalanceCallback = (
  err: RdkafkaRebalanceError,
  assignment: readonly RdkafkaTopicPartition[],
  fns: { assignmentLost(): boolean },
) => Promise<void>;

export interface RdkafkaConsumer {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  subscribe(subscription: { topics: string[] }): Promise<void>;
  run(config: {
    eachBatchAutoResolve: boolean;
    partitionsConsumedConcurrently: number;
    eachBatch: (payload: RdkafkaEachBatchPayload) => Promise<void>;
  }): Promise<void>;
  assignment(): RdkafkaTopicPartition[];
}

export interface RdkafkaProducerMessage {
  readonly key: string | Buffer | null;
  readonly value: Buffer;
}

export interface RdkafkaProducer {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  transaction(): Promise<RdkafkaProducer>;
  sendBatch(batch: {
    topicMessages: { topic: string; messages: RdkafkaProducerMessage[] }[];
  }): Promise<unknown>;
  /** KIP-447: the offsets go with `consumer`'s group metadata (member id and generation). */
  sendOffsets(offsets: {
    consumer: RdkafkaConsumer;
    topics: { topic: string; partitions: { partition: number; offset: string }[] }[];
  }): Promise<void>;
  commit(): Promise<void>;
  abort(): Promise<void>;
}

export interface RdkafkaKafka {
  consumer(
    config: Record<string, unknown> & {
      kafkaJS: { groupId: string; fromBeginning: boolean; autoCommit: boolean } & Record<string, unknown>;
      rebalance_cb?: RdkafkaRebalanceCallback;
    },
  ): RdkafkaConsumer;
  producer(
    config: Record<string, unknown> & { kafkaJS: { transactionalId: string } & Record<string, unknown> },
  ): RdkafkaProducer;
}

/** The module's KafkaJS namespace. */
export interface RdkafkaModule {
  readonly KafkaJS: {
    readonly Kafka: new (config: Record<string, unknown>) => RdkafkaKafka;
    readonly logLevel: { readonly NOTHING: number; readonly ERROR: number; readonly WARN: number };
  };
  /** librdkafka's version, e.g. 2.15.1. */
  readonly librdkafkaVersion: string;
}

export const RDKAFKA_PACKAGE = '@confluentinc/kafka-javascript';

/** Where scripts/install-rdkafka.sh puts the package: `${NETSENTRY_CACHE_DIR:-~/.cache/netsentry}/tools/rdkafka`. */
export function rdkafkaToolDir(env: Readonly<Record<string, string | undefined>> = process.env): string {
  const cache = env.NETSENTRY_CACHE_DIR ?? join(env.HOME ?? homedir(), '.cache/netsentry');
  return join(cache, 'tools/rdkafka');
}

export type RdkafkaLoad =
  | { readonly module: RdkafkaModule; readonly from: string }
  | { readonly module: null; readonly reason: string };

/**
 * @confluentinc/kafka-javascript, resolved as a normal dependency first (an image that npm-installed it),
 * else from the install of scripts/install-rdkafka.sh; null, with the reason, when neither loads.
 */
export function loadRdkafka(env: Readonly<Record<string, string | undefined>> = process.env): RdkafkaLoad {
  const tool = join(rdkafkaToolDir(env), 'node_modules', RDKAFKA_PACKAGE);
  const reasons: string[] = [];
  for (const from of [RDKAFKA_PACKAGE, tool]) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const module = require(from) as RdkafkaModule;
      if (typeof module.KafkaJS?.Kafka !== 'function') throw new Error('no KafkaJS.Kafka export');
      return { module, from: require.resolve(from) };
    } catch (error) {
      reasons.push(`${from}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
    }
  }
  return { module: null, reason: reasons.join('; ') };
}
