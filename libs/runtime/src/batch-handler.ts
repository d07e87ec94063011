import type { TopicName } from '@netsentry/contracts';
import type { InboundMessage } from './messages';
import type { RuntimeLogger } from './ports';

export interface BatchHandlerOptions {
  /** Most messages a handler call sees; a larger fetched batch is cut into chunks. Default 2,000. */
  maxRecords?: number;
  /** How long the broker may hold a fetch for more data before answering (kafkajs maxWaitTimeInMs). Default 20. */
  maxWaitMs?: number;
  /** Partitions handled at once, each with its own transactional producer. Default 4. */
  partitionsConcurrently?: number;
  /**
   * Bytes → value. A throw sends that message alone to the dead-letter topic (its `code` is the reason code)
   * and the handler never sees it. Default: the topic's Avro contract.
   */
  decode?: (message: InboundMessage) => unknown;
}

export interface BatchRecord<V> {
  readonly value: V;
  readonly message: InboundMessage;
}

/** The decoded messages of one chunk of one partition, in offset order. */
export interface StageBatch<V = unknown> {
  readonly stage: string;
  readonly topic: TopicName;
  readonly kafkaTopic: string;
  readonly partition: number;
  readonly records: readonly BatchRecord<V>[];
  /** Messages of the chunk that did not decode: already bound for the dead-letter topic (for the handler's counts). */
  readonly undecodable: readonly BatchRejection[];
  /** When the runtime took the chunk from the fetch (epoch ms): the start of processing latency. */
  readonly receivedAt: number;
  /** Handler attempt for this chunk, 1-based. */
  readonly attempt: number;
  readonly logger: RuntimeLogger;
  /** Aborted on shutdown. */
  readonly signal: AbortSignal;
}

/** One encoded output of a batch handler. */
export interface BatchOutput {
  readonly topic: TopicName;
  readonly key: string | Buffer | null;
  readonly value: Buffer;
}

/** A decoded message the handler refuses (it goes to the dead-letter topic with the error's code and reason). */
export interface BatchRejection {
  readonly message: InboundMessage;
  readonly error: unknown;
}

export interface BatchResult {
  readonly outputs?: readonly BatchOutput[];
  readonly rejected?: readonly BatchRejection[];
  /** Called once the batch's transaction committed (state that must follow the commit, e.g. a cooldown). */
  readonly onCommitted?: () => void;
}

export type StageBatchHandlerFn<V = unknown> = (batch: StageBatch<V>) => BatchResult | Promise<BatchResult>;

/** The Kafka client a batch consumer runs on (NETSENTRY_KAFKA_CLIENT, decision 0096). */
export type BatchKafkaClient = 'kafkajs' | 'rdkafka';

/**
 * What the transport and a service see of a batch consumer, whichever client runs it: the kafkajs one
 * (`BatchConsumer`, a transactional producer per input partition) or the librdkafka one
 * (`RdkafkaBatchConsumer`, one transactional producer per replica with KIP-447 group-metadata fencing).
 */
export interface StageBatchConsumer {
  readonly client: BatchKafkaClient;
  readonly groupId: string;
  readonly kafkaTopic: string;
  /** Joined the group and consuming (partitions may be none when there are more replicas than partitions). */
  readonly ready: boolean;
  readonly running: boolean;
  readonly assignment: readonly number[];
  start(): Promise<void>;
  /** Stops fetching, lets in-flight chunks commit (bounded), leaves the group, closes the producers. */
  close(timeoutMs?: number): Promise<void>;
}
