import { homedir } from 'node:os';
import { join } from 'node:path';

// The part of @confluentinc/kafka-javascript (librdkafka) the batch path uses, typed here: the package is not
// a dependency (its prebuilt binary comes from GitHub; see scripts/install-rdkafka.sh and decision 0096),
// so its own types are not in the build. Its node-rdkafka API (`KafkaConsumer`, `Producer`), as of 1.10:
// callbacks straight onto librdkafka, one consume call across partitions (decision 0106).

/** librdkafka configuration properties (CONFIGURATION.md), passed through as they are. */
export type RdkafkaProperties = Record<string, string | number | boolean>;

export type RdkafkaCallback<T = void> = (error: RdkafkaError | null | undefined, value: T) => void;

/** LibrdKafkaError: `code` is librdkafka's (CODES.ERRORS); the flags say what the transaction can do next. */
export interface RdkafkaError extends Error {
  readonly code: number;
  readonly isFatal?: boolean;
  readonly isRetriable?: boolean;
  readonly isTxnRequiresAbort?: boolean;
}

export interface RdkafkaTopicPartition {
  readonly topic: string;
  readonly partition: number;
}

export interface RdkafkaTopicPartitionOffset extends RdkafkaTopicPartition {
  readonly offset: number;
}

/** A consumed message. */
export interface RdkafkaMessage {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly key?: Buffer | null;
  readonly value: Buffer | null;
  /** Epoch ms (the producer's create time or the broker's append time). */
  readonly timestamp?: number;
}

/**
 * librdkafka's rebalance callback (called with the consumer as `this`, from within `consume`): err.code is
 * ERR__ASSIGN_PARTITIONS (-175) or ERR__REVOKE_PARTITIONS (-174); the callback must call assign / unassign,
 * and may do so later (librdkafka waits for it).
 */
export type RdkafkaRebalanceCallback = (
  err: RdkafkaError,
  assignment: readonly RdkafkaTopicPartition[],
) => void;

export interface RdkafkaKafkaConsumer {
  connect(options: Record<string, unknown>, cb: RdkafkaCallback<unknown>): void;
  disconnect(cb: RdkafkaCallback<unknown>): void;
  subscribe(topics: string[]): void;
  /** Up to `count` messages of any assigned partitions; waits only for the first (see the setters below). */
  consume(count: number, cb: RdkafkaCallback<RdkafkaMessage[]>): void;
  setDefaultConsumeTimeout(ms: number): void;
  setDefaultIsTimeoutOnlyForFirstMessage(onlyFirst: boolean): void;
  assign(assignment: readonly RdkafkaTopicPartition[]): void;
  unassign(): void;
  assignmentLost(): boolean;
  assignments(): RdkafkaTopicPartition[];
  /** The group's committed offsets (offset -1001 where none); read_committed waits for pending transactional ones. */
  committed(
    toppars: readonly RdkafkaTopicPartition[],
    timeoutMs: number,
    cb: RdkafkaCallback<RdkafkaTopicPartitionOffset[]>,
  ): void;
  seek(toppar: RdkafkaTopicPartitionOffset, timeoutMs: number, cb: RdkafkaCallback): void;
  /** From the last fetch response, no request: `highOffset` is the partition's high watermark. */
  getWatermarkOffsets(topic: string, partition: number): { highOffset: number; lowOffset: number };
  on(event: 'event.error', listener: (error: RdkafkaError) => void): void;
}

export interface RdkafkaKafkaProducer {
  connect(options: Record<string, unknown>, cb: RdkafkaCallback<unknown>): void;
  disconnect(timeoutMs: number, cb: RdkafkaCallback<unknown>): void;
  /** Queues one message (partition null: the configured partitioner); throws when the queue is full. */
  produce(topic: string, partition: number | null, value: Buffer, key: string | Buffer | null): void;
  initTransactions(timeoutMs: number, cb: RdkafkaCallback): void;
  beginTransaction(cb: RdkafkaCallback): void;
  /** KIP-447: the offsets go with `consumer`'s group metadata (member id and generation). */
  sendOffsetsToTransaction(
    offsets: readonly RdkafkaTopicPartitionOffset[],
    consumer: RdkafkaKafkaConsumer,
    timeoutMs: number,
    cb: RdkafkaCallback,
  ): void;
  commitTransaction(timeoutMs: number, cb: RdkafkaCallback): void;
  abortTransaction(timeoutMs: number, cb: RdkafkaCallback): void;
  on(event: 'event.error', listener: (error: RdkafkaError) => void): void;
}

/** The module's node-rdkafka API. */
export interface RdkafkaModule {
  readonly KafkaConsumer: new (
    config: Readonly<Record<string, string | number | boolean | RdkafkaRebalanceCallback>>,
    topicConfig: RdkafkaProperties,
  ) => RdkafkaKafkaConsumer;
  readonly Producer: new (config: RdkafkaProperties, topicConfig?: RdkafkaProperties) => RdkafkaKafkaProducer;
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
      if (typeof module.KafkaConsumer !== 'function' || typeof module.Producer !== 'function')
        throw new Error('no KafkaConsumer / Producer export');
      return { module, from: require.resolve(from) };
    } catch (error) {
      reasons.push(`${from}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
    }
  }
  return { module: null, reason: reasons.join('; ') };
}
