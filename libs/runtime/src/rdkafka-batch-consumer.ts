import {
  ContractRegistry,
  topicName,
  type Producer as EventProducer,
  type TopicName,
} from '@netsentry/contracts';
import type { KafkaSettings } from '@netsentry/config';
import { BATCH_DEFAULTS, chunkProcessorFor, type ChunkProcessor, type PreparedChunk } from './batch-chunk';
import type {
  BatchHandlerOptions,
  BatchKafkaClient,
  StageBatchConsumer,
  StageBatchHandlerFn,
} from './batch-handler';
import type { DeadLetterTopic } from './dead-letter';
import type { ConsumerOverrides } from './kafka-clients';
import { nextOffset, type InboundMessage } from './messages';
import { noopMetrics, silentLogger, type RuntimeLogger, type RuntimeMetrics } from './ports';
import type {
  RdkafkaConsumer,
  RdkafkaEachBatchPayload,
  RdkafkaKafka,
  RdkafkaLogger,
  RdkafkaMessage,
  RdkafkaModule,
  RdkafkaProducer,
  RdkafkaProperties,
  RdkafkaRebalanceError,
  RdkafkaTopicPartition,
} from './rdkafka';
import type { RetryPolicy } from './retry';
import { withTimeout } from './shutdown';
import { errorJson } from './stage-pipeline';

export interface RdkafkaBatchConsumerOptions {
  /** @confluentinc/kafka-javascript, as `loadRdkafka` found it. */
  rdkafka: RdkafkaModule;
  kafka: KafkaSettings;
  stage: string;
  /** Shared by every replica: the partitions of `topic` are spread over them. */
  groupId: string;
  topic: TopicName;
  topicPrefix: string;
  handler: StageBatchHandlerFn;
  batch?: BatchHandlerOptions;
  /** Written into the envelope of every dead letter. */
  producer: EventProducer;
  deadLetterTopic: DeadLetterTopic;
  /**
   * This replica's stable name (the pod name on Kubernetes): the transactional id is
   * `<group>.<kafka topic>.<instance id>`, so a restarted replica fences its previous incarnation.
   */
  instanceId: string;
  transactionTimeoutMs?: number;
  /** Handler retries for one chunk before its messages are dead-lettered with the error. */
  retry?: Partial<RetryPolicy>;
  fromBeginning?: boolean;
  consumer?: ConsumerOverrides;
  contracts?: ContractRegistry;
  logger?: RuntimeLogger;
  metrics?: RuntimeMetrics;
}

// librdkafka error codes (its CODES.ERRORS).
const ERR_ASSIGN_PARTITIONS = -175;
const ERR_FENCED = -144;
const ERR_INVALID_PRODUCER_EPOCH = 47;
const ERR_PRODUCER_FENCED = 90;

interface Pending {
  readonly chunk: PreparedChunk;
  /** The assignment the chunk was fetched under: a chunk of an earlier one is never committed. */
  readonly epoch: number;
  /** The fetch is stale: librdkafka was not polled within max.poll.interval.ms, so it left the group. */
  stale(): boolean;
  resolve(committed: boolean): void;
  reject(error: unknown): void;
}

function errorCodeOf(error: unknown): number | undefined {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'number' ? code : undefined;
}

function isFatal(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { fatal?: unknown }).fatal === true;
}

/** Another process with this transactional id took over (this one is a zombie). */
function isFenced(error: unknown): boolean {
  const code = errorCodeOf(error);
  return code === ERR_FENCED || code === ERR_PRODUCER_FENCED || code === ERR_INVALID_PRODUCER_EPOCH;
}

/** KafkaSettings → librdkafka's connection properties. */
export function rdkafkaConnection(settings: KafkaSettings): RdkafkaProperties {
  const props: RdkafkaProperties = {
    'bootstrap.servers': settings.brokers.join(','),
    'client.id': settings.clientId,
  };
  const tls = settings.ssl !== false;
  const sasl = settings.sasl;
  props['security.protocol'] =
    sasl === undefined ? (tls ? 'ssl' : 'plaintext') : tls ? 'sasl_ssl' : 'sasl_plaintext';
  if (typeof settings.ssl === 'object') {
    if (settings.ssl.ca !== undefined) props['ssl.ca.pem'] = settings.ssl.ca;
    if (settings.ssl.cert !== undefined) props['ssl.certificate.pem'] = settings.ssl.cert;
    if (settings.ssl.key !== undefined) props['ssl.key.pem'] = settings.ssl.key;
  }
  if (sasl !== undefined) {
    props['sasl.mechanisms'] = sasl.mechanism.toUpperCase();
    props['sasl.username'] = sasl.username;
    props['sasl.password'] = sasl.password;
  }
  return props;
}

/**
 * librdkafka's log lines at the levels an operator should see them: its errors are connection troubles it
 * retries by itself (warn); what an operator must act on is logged by this consumer.
 */
function rdkafkaLogger(logger: RuntimeLogger): RdkafkaLogger {
  const child = logger.child({ component: 'librdkafka' });
  const adapter: RdkafkaLogger = {
    info: (message, extra) => child.debug({ ...extra }, message),
    warn: (message, extra) => child.warn({ ...extra }, message),
    error: (message, extra) => child.warn({ ...extra }, message),
    debug: (message, extra) => child.debug({ ...extra }, message),
    namespace: () => adapter,
    setLogLevel: () => undefined,
  };
  return adapter;
}

/**
 * The batch path on librdkafka (decision 0096), with the contract of the kafkajs `BatchConsumer`: each
 * fetched partition batch is cut into chunks of at most `maxRecords`; per chunk, undecodable messages are
 * dead-lettered one by one and the handler sees the rest once; outputs, dead letters and offsets commit in
 * one Kafka transaction; downstream readers use read_committed.
 *
 * One transactional producer per replica (`<group>.<topic>.<instance id>`): its offsets go with the
 * consumer's group metadata (KIP-447), so a zombie — a replica whose partitions were given to another
 * member — has its commit refused by the group generation, and a restarted replica fences its previous
 * incarnation's open transaction when it starts. Partitions are handled concurrently; their chunks commit
 * together: whatever chunks are ready while a transaction is in flight form the next one.
 *
 * Rebalance-safe: on a revocation the open transaction finishes before the partitions go, and a chunk
 * fetched before the revocation is never committed after it (it is read again by the partition's owner).
 */
export class RdkafkaBatchConsumer implements StageBatchConsumer {
  readonly client: BatchKafkaClient = 'rdkafka';
  readonly groupId: string;
  readonly kafkaTopic: string;
  readonly transactionalId: string;
  private kafka: RdkafkaKafka | null = null;
  private consumer: RdkafkaConsumer | null = null;
  private producer: RdkafkaProducer | null = null;
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly shutdown = new AbortController();
  private state: 'idle' | 'running' | 'stopping' | 'stopped' | 'crashed' = 'idle';
  private member = false;
  /** Bumped on every revocation (librdkafka's eager protocol revokes every partition). */
  private epoch = 0;
  private assigned: number[] = [];
  private readonly queue: Pending[] = [];
  private committing = false;
  private idleWaiters: (() => void)[] = [];
  private readonly logger: RuntimeLogger;
  private readonly metrics: RuntimeMetrics;
  private readonly maxRecords: number;
  private readonly chunks: ChunkProcessor;

  constructor(private readonly options: RdkafkaBatchConsumerOptions) {
    this.groupId = options.groupId;
    this.kafkaTopic = topicName(options.topicPrefix, options.topic);
    this.transactionalId = `${options.groupId}.${this.kafkaTopic}.${options.instanceId}`;
    this.logger = (options.logger ?? silentLogger).child({ consumer: 'batch', topic: this.kafkaTopic });
    this.metrics = options.metrics ?? noopMetrics;
    this.maxRecords = options.batch?.maxRecords ?? BATCH_DEFAULTS.maxRecords;
    this.chunks = chunkProcessorFor(
      options,
      this.kafkaTopic,
      this.logger,
      this.metrics,
      this.shutdown.signal,
    );
  }

  get ready(): boolean {
    return this.state === 'running' && this.member;
  }

  get assignment(): readonly number[] {
    return this.assigned;
  }

  get running(): boolean {
    return this.state === 'running';
  }

  async start(): Promise<void> {
    const o = this.options;
    this.state = 'running';
    const { Kafka, logLevel } = o.rdkafka.KafkaJS;
    const kafka = new Kafka({
      ...rdkafkaConnection(o.kafka),
      kafkaJS: { logger: rdkafkaLogger(this.logger), logLevel: logLevel.WARN },
    });
    // The producer first: initialising its transactions fences this replica's previous incarnation and
    // aborts whatever transaction it left open, before any of its partitions is read again.
    this.producer = this.newProducer(kafka);
    await this.producer.connect();
    const overrides = o.consumer ?? {};
    this.consumer = kafka.consumer({
      kafkaJS: {
        groupId: this.groupId,
        fromBeginning: o.fromBeginning ?? true,
        autoCommit: false,
        sessionTimeout: overrides.sessionTimeout ?? 30_000,
        heartbeatInterval: overrides.heartbeatInterval ?? 3_000,
        maxWaitTimeInMs: o.batch?.maxWaitMs ?? overrides.maxWaitTimeInMs ?? BATCH_DEFAULTS.maxWaitMs,
        ...(overrides.rebalanceTimeout === undefined ? {} : { rebalanceTimeout: overrides.rebalanceTimeout }),
        ...(overrides.maxBytes === undefined ? {} : { maxBytes: overrides.maxBytes }),
        ...(overrides.maxBytesPerPartition === undefined
          ? {}
          : { maxBytesPerPartition: overrides.maxBytesPerPartition }),
      },
      'isolation.level': 'read_committed',
      // Eager: a revocation takes every partition, so one epoch counter tells a chunk of an earlier
      // assignment. (Its name differs from kafkajs's "RoundRobinAssigner": see decision 0096.)
      'partition.assignment.strategy': 'roundrobin',
      'js.consumer.max.batch.size': this.maxRecords,
      rebalance_cb: (err, assignment, fns) => this.onRebalance(err, assignment, fns.assignmentLost()),
    });
    this.kafka = kafka;
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: [this.kafkaTopic] });
    await this.consumer.run({
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently:
        o.batch?.partitionsConcurrently ?? BATCH_DEFAULTS.partitionsConcurrently,
      eachBatch: (payload) => this.eachBatch(payload),
    });
    this.logger.info(
      {
        groupId: this.groupId,
        maxRecords: this.maxRecords,
        client: this.client,
        transactionalId: this.transactionalId,
        librdkafka: o.rdkafka.librdkafkaVersion,
      },
      'batch consumer started',
    );
  }

  async close(timeoutMs = 25_000): Promise<void> {
    if (this.state === 'stopped' || this.state === 'stopping') return;
    this.state = 'stopping';
    this.shutdown.abort(new Error('shutting down'));
    const drained = await withTimeout(
      Promise.allSettled([...this.inFlight]).then(() => this.idle()),
      timeoutMs,
    );
    if (!drained)
      this.logger.warn({ timeoutMs }, 'in-flight batches did not finish in time; they will be redelivered');
    await withTimeout(this.consumer?.disconnect() ?? Promise.resolve(), timeoutMs).catch(() => undefined);
    await withTimeout(this.producer?.disconnect() ?? Promise.resolve(), 5_000).catch(() => undefined);
    this.state = 'stopped';
    this.member = false;
  }

  private newProducer(kafka: RdkafkaKafka): RdkafkaProducer {
    return kafka.producer({
      kafkaJS: { transactionalId: this.transactionalId, idempotent: true, maxInFlightRequests: 1 },
      'transaction.timeout.ms': this.options.transactionTimeoutMs ?? 60_000,
      'linger.ms': 2,
      // murmur2 like the Java client and kafkajs: keys land where any other producer would put them.
      partitioner: 'murmur2_random',
    });
  }

  private async onRebalance(
    err: RdkafkaRebalanceError,
    assignment: readonly RdkafkaTopicPartition[],
    lost: boolean,
  ): Promise<void> {
    const partitions = assignment.filter((tp) => tp.topic === this.kafkaTopic).map((tp) => tp.partition);
    if (err.code === ERR_ASSIGN_PARTITIONS) {
      this.assigned = [...partitions].sort((a, b) => a - b);
      this.member = true;
      this.logger.info({ groupId: this.groupId, partitions: this.assigned }, 'joined consumer group');
      return;
    }
    // Revoked (or lost): no chunk fetched until now is committed from here on; the transaction in flight
    // ends before librdkafka lets the partitions go.
    this.epoch++;
    this.assigned = [];
    await withTimeout(this.idle(), this.options.transactionTimeoutMs ?? 60_000);
    this.logger.info({ groupId: this.groupId, partitions, lost }, 'partitions revoked');
  }

  private async eachBatch(payload: RdkafkaEachBatchPayload): Promise<void> {
    const { batch } = payload;
    const { partition } = batch;
    const messages = batch.messages;
    if (messages.length === 0) return;
    const epoch = this.epoch;
    for (let start = 0; start < messages.length; start += this.maxRecords) {
      if (this.state !== 'running' || epoch !== this.epoch || payload.isStale()) break;
      const chunk = messages.slice(start, start + this.maxRecords);
      const work = this.processChunk(partition, chunk, epoch, () => payload.isStale());
      this.inFlight.add(work);
      let done: boolean;
      try {
        done = await work;
      } finally {
        this.inFlight.delete(work);
      }
      // Not committed (shutdown, revocation): left unresolved, so the consumer reads them again.
      if (!done) break;
      const last = chunk[chunk.length - 1]!.offset;
      payload.resolveOffset(last);
      const lag = BigInt(batch.highWatermark) - BigInt(last) - 1n;
      this.metrics.consumerLag(this.kafkaTopic, partition, Number(lag < 0n ? 0n : lag));
    }
  }

  private async processChunk(
    partition: number,
    chunk: readonly RdkafkaMessage[],
    epoch: number,
    stale: () => boolean,
  ): Promise<boolean> {
    const prepared = await this.chunks.prepare(
      partition,
      chunk.map((m) => this.inbound(partition, m)),
    );
    if (prepared === null) return false;
    const committed = await new Promise<boolean>((resolve, reject) => {
      this.queue.push({ chunk: prepared, epoch, stale, resolve, reject });
      this.kick();
    });
    if (committed) prepared.committed();
    return committed;
  }

  /** Starts the commit loop unless it runs: it takes whatever chunks are queued into one transaction. */
  private kick(): void {
    if (this.committing) return;
    this.committing = true;
    void this.commitLoop();
  }

  private async commitLoop(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const taken = this.queue.splice(0);
        const live: Pending[] = [];
        for (const p of taken) {
          // A chunk of an earlier assignment, or fetched by a member that has since left the group (its
          // group metadata may no longer carry a generation the broker would refuse): never committed.
          if (p.epoch !== this.epoch || p.stale() || this.state === 'crashed') p.resolve(false);
          else live.push(p);
        }
        if (live.length === 0) continue;
        try {
          await this.transact(live.map((p) => p.chunk));
          for (const p of live) p.resolve(true);
        } catch (error) {
          for (const p of live) p.reject(error);
        }
      }
    } finally {
      this.committing = false;
      for (const wake of this.idleWaiters.splice(0)) wake();
    }
  }

  /** Resolves once no transaction is in flight and none is queued. */
  private idle(): Promise<void> {
    if (!this.committing && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** One transaction for the chunks of several partitions: their outputs, dead letters and offsets. */
  private async transact(chunks: readonly PreparedChunk[]): Promise<void> {
    const producer = this.producer!;
    const byTopic = new Map<string, { key: string | Buffer | null; value: Buffer }[]>();
    const offsets = new Map<number, string>();
    for (const chunk of chunks) {
      for (const { topic, messages } of chunk.topicMessages) {
        const list = byTopic.get(topic);
        if (list === undefined) byTopic.set(topic, [...messages]);
        else for (const m of messages) list.push(m);
      }
      offsets.set(chunk.partition, nextOffset(chunk.lastOffset));
    }
    await producer.transaction();
    try {
      if (byTopic.size > 0) {
        await producer.sendBatch({
          topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
        });
      }
      await producer.sendOffsets({
        consumer: this.consumer!,
        topics: [
          {
            topic: this.kafkaTopic,
            partitions: [...offsets].map(([partition, offset]) => ({ partition, offset })),
          },
        ],
      });
      await producer.commit();
    } catch (error) {
      await this.afterFailedTransaction(producer, error);
      throw error;
    }
  }

  private async afterFailedTransaction(producer: RdkafkaProducer, error: unknown): Promise<void> {
    if (isFenced(error)) {
      // A newer incarnation of this replica started with the same transactional id: this one is a zombie.
      this.state = 'crashed';
      this.member = false;
      this.logger.error(
        { transactionalId: this.transactionalId, err: errorJson(error) },
        'fenced by a newer instance with the same transactional id; this batch consumer stops',
      );
      void this.consumer?.disconnect().catch(() => undefined);
      return;
    }
    this.logger.warn(
      { err: errorJson(error), fatal: isFatal(error) },
      'batch transaction failed; aborted, its records are read again',
    );
    try {
      if (isFatal(error)) throw error;
      await producer.abort();
    } catch {
      // The producer cannot go on: a new one with the same id (fencing only this old one).
      await withTimeout(producer.disconnect(), 5_000).catch(() => undefined);
      const next = this.newProducer(this.kafka!);
      await next.connect();
      this.producer = next;
    }
  }

  private inbound(partition: number, message: RdkafkaMessage): InboundMessage {
    return {
      topic: this.options.topic,
      kafkaTopic: this.kafkaTopic,
      partition,
      offset: message.offset,
      key: message.key,
      value: message.value,
      timestamp: message.timestamp === undefined ? null : Number(message.timestamp),
    };
  }
}
