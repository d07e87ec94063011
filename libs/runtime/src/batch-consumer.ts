import { topicName } from '@netsentry/contracts';
import type { Admin, Consumer, EachBatchPayload, Kafka, KafkaMessage, Producer } from 'kafkajs';
import {
  BATCH_DEFAULTS,
  chunkProcessorFor,
  type BatchChunkSettings,
  type ChunkProcessor,
  type PreparedChunk,
} from './batch-chunk';
import type { BatchKafkaClient, StageBatchConsumer } from './batch-handler';
import { stageConsumerConfig, transactionalProducerConfig, type ConsumerOverrides } from './kafka-clients';
import { nextOffset, type InboundMessage } from './messages';
import { noopMetrics, silentLogger, type RuntimeLogger, type RuntimeMetrics } from './ports';
import { withTimeout } from './shutdown';
import { errorJson } from './stage-pipeline';

export interface BatchConsumerOptions extends BatchChunkSettings {
  kafka: Kafka;
  /** Shared by every replica: the partitions of `topic` are spread over them. */
  groupId: string;
  /** Transactional ids are `<prefix>.<kafka topic>.<partition>`; default: the group id. */
  transactionalIdPrefix?: string;
  transactionTimeoutMs?: number;
  fromBeginning?: boolean;
  consumer?: ConsumerOverrides;
  logger?: RuntimeLogger;
  metrics?: RuntimeMetrics;
}

/**
 * The batch path of the stage runtime, for live traffic. Each fetched partition batch is cut into chunks
 * of at most `maxRecords`; per chunk: decode every message (an undecodable one is dead-lettered alone),
 * one handler call, then its outputs, the dead letters and the consumed offset in one Kafka transaction.
 *
 * Exactly-once across replicas: each input partition has its own transactional producer with a stable id
 * (`<prefix>.<topic>.<partition>`), so whichever replica owns a partition — after a rebalance, a restart or
 * a SIGKILL — fences the previous owner and its open transaction is aborted. Before the first chunk of a
 * newly assigned partition the consumer re-reads the committed offset after fencing, so a zombie's late
 * commit is never processed twice. Partitions are consumed concurrently (one transaction per partition at
 * a time). Downstream readers use read_committed.
 */
export class BatchConsumer implements StageBatchConsumer {
  readonly client: BatchKafkaClient = 'kafkajs';
  readonly groupId: string;
  readonly kafkaTopic: string;
  private consumer: Consumer | null = null;
  private admin: Admin | null = null;
  private readonly producers = new Map<number, Promise<Producer>>();
  /** Partitions whose committed offset must be checked (after fencing) before their first chunk. */
  private readonly unverified = new Set<number>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly shutdown = new AbortController();
  private state: 'idle' | 'running' | 'stopping' | 'stopped' | 'crashed' = 'idle';
  private member = false;
  /** Counts assignments, so a slow producer warm-up of an earlier one does not mark a later one ready. */
  private generation = 0;
  private assigned: number[] = [];
  private readonly logger: RuntimeLogger;
  private readonly metrics: RuntimeMetrics;
  private readonly maxRecords: number;
  private readonly chunks: ChunkProcessor;

  constructor(private readonly options: BatchConsumerOptions) {
    this.groupId = options.groupId;
    this.kafkaTopic = topicName(options.topicPrefix, options.topic);
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

  /** Joined the group and consuming (partitions may be none when there are more replicas than partitions). */
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
    const { kafka } = this.options;
    this.state = 'running';
    this.admin = kafka.admin();
    await this.admin.connect();
    this.consumer = kafka.consumer(
      stageConsumerConfig(this.groupId, {
        maxWaitTimeInMs: this.options.batch?.maxWaitMs ?? BATCH_DEFAULTS.maxWaitMs,
        ...this.options.consumer,
      }),
    );
    const consumer = this.consumer;
    consumer.on(consumer.events.GROUP_JOIN, (e) => {
      const partitions = e.payload.memberAssignment[this.kafkaTopic] ?? [];
      this.onAssignment(partitions);
      this.logger.info({ groupId: this.groupId, partitions }, 'joined consumer group');
    });
    consumer.on(consumer.events.CRASH, (e) => {
      this.member = false;
      const restart = e.payload.restart;
      const fields = { restart, err: errorJson(e.payload.error) };
      if (restart) this.logger.warn(fields, 'batch consumer restarting after an error');
      else {
        this.logger.error(fields, 'batch consumer crashed');
        this.state = 'crashed';
      }
    });
    await consumer.connect();
    await consumer.subscribe({
      topics: [this.kafkaTopic],
      fromBeginning: this.options.fromBeginning ?? true,
    });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently:
        this.options.batch?.partitionsConcurrently ?? BATCH_DEFAULTS.partitionsConcurrently,
      eachBatch: (payload) => this.eachBatch(payload),
    });
    this.logger.info(
      { groupId: this.groupId, maxRecords: this.maxRecords, client: this.client },
      'batch consumer started',
    );
  }

  /** Stops fetching, lets in-flight chunks commit (bounded), leaves the group, closes the producers. */
  async close(timeoutMs = 25_000): Promise<void> {
    if (this.state === 'stopped' || this.state === 'stopping') return;
    this.state = 'stopping';
    this.shutdown.abort(new Error('shutting down'));
    const drained = await withTimeout(Promise.allSettled([...this.inFlight]), timeoutMs);
    if (!drained)
      this.logger.warn({ timeoutMs }, 'in-flight batches did not finish in time; they will be redelivered');
    await withTimeout(this.consumer?.disconnect() ?? Promise.resolve(), timeoutMs);
    await Promise.allSettled([...this.producers.keys()].map((p) => this.dropProducer(p)));
    await withTimeout(this.admin?.disconnect() ?? Promise.resolve(), 5_000);
    this.state = 'stopped';
    this.member = false;
  }

  private onAssignment(partitions: number[]): void {
    this.assigned = [...partitions].sort((a, b) => a - b);
    const keep = new Set(partitions);
    for (const partition of [...this.producers.keys()]) {
      if (!keep.has(partition)) void this.dropProducer(partition);
    }
    for (const partition of partitions) this.unverified.add(partition);
    // Fence the previous owners and open the transactional producers now, all at once, rather than on each
    // partition's first batch: the first records after a rebalance then wait for one round trip, not for
    // a queue of producer initialisations. Ready once they are open (or failed: the batch retries them).
    const generation = ++this.generation;
    void Promise.allSettled(partitions.map((p) => this.producerFor(p))).then(() => {
      if (generation === this.generation) this.member = true;
    });
  }

  private async eachBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const { partition } = batch;
    if (batch.messages.length === 0) return;
    if (this.unverified.has(partition)) {
      // Fence the partition's previous owner first, then read where it committed: a zombie's last
      // transaction is now either committed (its offset visible) or aborted.
      await this.producerFor(partition);
      const committed = await this.committedOffset(partition);
      this.unverified.delete(partition);
      if (committed !== null && BigInt(committed) > BigInt(batch.firstOffset() ?? '0')) {
        this.logger.info(
          { partition, committed, fetched: batch.firstOffset() },
          'partition was committed further by its previous owner; seeking there',
        );
        this.consumer!.seek({ topic: this.kafkaTopic, partition, offset: committed });
        return;
      }
    }
    const messages = batch.messages;
    for (let start = 0; start < messages.length; start += this.maxRecords) {
      if (this.state !== 'running' || !payload.isRunning() || payload.isStale()) break;
      const chunk = messages.slice(start, start + this.maxRecords);
      const work = this.processChunk(partition, chunk);
      this.inFlight.add(work);
      let done: boolean;
      try {
        done = await work;
      } finally {
        this.inFlight.delete(work);
      }
      if (!done) break;
      const last = chunk[chunk.length - 1]!.offset;
      payload.resolveOffset(last);
      const lag = BigInt(batch.highWatermark) - BigInt(last) - 1n;
      this.metrics.consumerLag(this.kafkaTopic, partition, Number(lag < 0n ? 0n : lag));
      await payload.heartbeat();
    }
  }

  /** One chunk: decode, handle, commit. False when shutdown interrupted it (nothing committed). */
  private async processChunk(partition: number, chunk: readonly KafkaMessage[]): Promise<boolean> {
    const prepared = await this.chunks.prepare(
      partition,
      chunk.map((m) => this.inbound(partition, m)),
    );
    if (prepared === null) return false;
    await this.commit(prepared);
    prepared.committed();
    return true;
  }

  private async commit({ partition, topicMessages, lastOffset }: PreparedChunk): Promise<void> {
    const producer = await this.producerFor(partition);
    let transaction;
    try {
      transaction = await producer.transaction();
      if (topicMessages.length > 0) {
        await transaction.sendBatch({
          topicMessages: topicMessages.map(({ topic, messages }) => ({ topic, messages })),
          acks: -1,
        });
      }
      await transaction.sendOffsets({
        consumerGroupId: this.groupId,
        topics: [{ topic: this.kafkaTopic, partitions: [{ partition, offset: nextOffset(lastOffset) }] }],
      });
      await transaction.commit();
    } catch (error) {
      await transaction?.abort().catch(() => undefined);
      // Possibly fenced by the partition's new owner: never reuse this producer.
      await this.dropProducer(partition);
      throw error;
    }
  }

  private producerFor(partition: number): Promise<Producer> {
    let producer = this.producers.get(partition);
    if (producer === undefined) {
      const prefix = this.options.transactionalIdPrefix ?? this.groupId;
      const id = `${prefix}.${this.kafkaTopic}.${partition}`;
      const created = this.options.kafka.producer(
        transactionalProducerConfig(id, this.options.transactionTimeoutMs ?? 60_000),
      );
      producer = created.connect().then(() => created);
      producer.catch(() => this.producers.delete(partition));
      this.producers.set(partition, producer);
    }
    return producer;
  }

  private async dropProducer(partition: number): Promise<void> {
    const producer = this.producers.get(partition);
    this.producers.delete(partition);
    if (producer === undefined) return;
    try {
      await withTimeout((await producer).disconnect(), 5_000);
    } catch {
      // It never connected, or the broker is gone: nothing to release.
    }
  }

  private async committedOffset(partition: number): Promise<string | null> {
    const topics = await this.admin!.fetchOffsets({ groupId: this.groupId, topics: [this.kafkaTopic] });
    const entry = topics[0]?.partitions.find((p) => p.partition === partition);
    if (entry === undefined || entry.offset === '-1') return null;
    return entry.offset;
  }

  private inbound(partition: number, message: KafkaMessage): InboundMessage {
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
