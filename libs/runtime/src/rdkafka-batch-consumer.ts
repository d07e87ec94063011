import { topicName } from '@netsentry/contracts';
import type { KafkaSettings } from '@netsentry/config';
import {
  BATCH_DEFAULTS,
  chunkProcessorFor,
  type BatchChunkSettings,
  type ChunkProcessor,
  type PreparedChunk,
} from './batch-chunk';
import type { BatchKafkaClient, StageBatchConsumer } from './batch-handler';
import type { ConsumerOverrides } from './kafka-clients';
import type { InboundMessage } from './messages';
import { noopMetrics, silentLogger, type RuntimeLogger, type RuntimeMetrics } from './ports';
import type {
  RdkafkaCallback,
  RdkafkaError,
  RdkafkaKafkaConsumer,
  RdkafkaKafkaProducer,
  RdkafkaMessage,
  RdkafkaModule,
  RdkafkaProperties,
  RdkafkaTopicPartition,
} from './rdkafka';
import { sleep } from './retry';
import { withTimeout } from './shutdown';
import { errorJson } from './stage-pipeline';

export interface RdkafkaBatchConsumerOptions extends BatchChunkSettings {
  /** @confluentinc/kafka-javascript, as `loadRdkafka` found it. */
  rdkafka: RdkafkaModule;
  kafka: KafkaSettings;
  /** Shared by every replica: the partitions of `topic` are spread over them. */
  groupId: string;
  /**
   * This replica's stable name (the pod name on Kubernetes): the transactional id is
   * `<group>.<kafka topic>.<instance id>`, so a restarted replica fences its previous incarnation.
   */
  instanceId: string;
  transactionTimeoutMs?: number;
  fromBeginning?: boolean;
  consumer?: ConsumerOverrides;
  logger?: RuntimeLogger;
  metrics?: RuntimeMetrics;
}

// librdkafka error codes (its CODES.ERRORS).
const ERR_ASSIGN_PARTITIONS = -175;
const ERR_FENCED = -144;
const ERR_INVALID_PRODUCER_EPOCH = 47;
const ERR_PRODUCER_FENCED = 90;

/** One consume call's messages, handled: what its transaction produces and where it leaves each partition. */
interface Round {
  readonly chunks: readonly PreparedChunk[];
  /** Partition → the offset to commit (the last handled offset + 1). */
  readonly next: ReadonlyMap<number, number>;
  /** The assignment the messages were fetched under: a round of an earlier one is never committed. */
  readonly epoch: number;
  /** When its consume call was made (the group forgets a member that does not poll for max.poll.interval). */
  readonly polledAt: number;
}

function errorCodeOf(error: unknown): number | undefined {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'number' ? code : undefined;
}

function isFatal(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as { isFatal?: unknown; fatal?: unknown };
  return e.isFatal === true || e.fatal === true;
}

/** A node-style call as a promise. */
function call<T = void>(start: (cb: RdkafkaCallback<T>) => void): Promise<T> {
  return new Promise<T>((resolve, reject) =>
    start((error, value) => (error ? reject(error) : resolve(value))),
  );
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
 * The batch path on librdkafka (decision 0096; its loop, decision 0106), with the contract of the kafkajs
 * `BatchConsumer`: per partition, undecodable messages are dead-lettered one by one and the handler sees the
 * rest once; outputs, dead letters and offsets commit in one Kafka transaction; downstream readers use
 * read_committed.
 *
 * One loop across all assigned partitions on librdkafka's own API: one consume call takes up to
 * `maxRecords` messages of any partitions, each partition's share goes through the handler, and the whole
 * round commits in one transaction. The next round is consumed and handled while that transaction is in
 * flight; rounds commit in order, one at a time. So a record waits for at most one round and one commit,
 * however many partitions there are.
 *
 * One transactional producer per replica (`<group>.<topic>.<instance id>`): its offsets go with the
 * consumer's group metadata (KIP-447), so a zombie — a replica whose partitions were given to another
 * member — has its commit refused by the group generation, and a restarted replica fences its previous
 * incarnation's open transaction when it starts. A round fetched before a revocation, or by a member that
 * has not polled within max.poll.interval, is never committed; a failed transaction is aborted and every
 * partition is rewound to its last committed position, so its records are read again.
 */
export class RdkafkaBatchConsumer implements StageBatchConsumer {
  readonly client: BatchKafkaClient = 'rdkafka';
  readonly groupId: string;
  readonly kafkaTopic: string;
  readonly transactionalId: string;
  private consumer: RdkafkaKafkaConsumer | null = null;
  private producer: RdkafkaKafkaProducer | null = null;
  private readonly shutdown = new AbortController();
  private state: 'idle' | 'running' | 'stopping' | 'stopped' | 'crashed' = 'idle';
  private member = false;
  /** Bumped on every revocation (the eager protocol revokes every partition) and on every rewind. */
  private epoch = 0;
  private assigned: number[] = [];
  /** Set when consumed records were dropped uncommitted: before the next poll, back to the committed offsets. */
  private rewindNeeded: string | null = null;
  /** The transaction in flight, if any. */
  private commit: Promise<void> | null = null;
  private loop: Promise<void> | null = null;
  private readonly logger: RuntimeLogger;
  private readonly metrics: RuntimeMetrics;
  private readonly maxRecords: number;
  private readonly maxPollIntervalMs: number;
  private readonly transactionTimeoutMs: number;
  private readonly chunks: ChunkProcessor;

  constructor(private readonly options: RdkafkaBatchConsumerOptions) {
    this.groupId = options.groupId;
    this.kafkaTopic = topicName(options.topicPrefix, options.topic);
    this.transactionalId = `${options.groupId}.${this.kafkaTopic}.${options.instanceId}`;
    this.logger = (options.logger ?? silentLogger).child({ consumer: 'batch', topic: this.kafkaTopic });
    this.metrics = options.metrics ?? noopMetrics;
    this.maxRecords = options.batch?.maxRecords ?? BATCH_DEFAULTS.maxRecords;
    this.maxPollIntervalMs = options.consumer?.rebalanceTimeout ?? 300_000;
    this.transactionTimeoutMs = options.transactionTimeoutMs ?? 60_000;
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
    // The producer first: initialising its transactions fences this replica's previous incarnation and
    // aborts whatever transaction it left open, before any of its partitions is read again.
    this.producer = await this.newProducer();
    const overrides = o.consumer ?? {};
    const config: RdkafkaProperties = {
      ...rdkafkaConnection(o.kafka),
      'group.id': this.groupId,
      'enable.auto.commit': false,
      'enable.auto.offset.store': false,
      'isolation.level': 'read_committed',
      // Eager: a revocation takes every partition, so one epoch counter tells a round of an earlier
      // assignment. (Its name differs from kafkajs's "RoundRobinAssigner": see decision 0096.)
      'partition.assignment.strategy': 'roundrobin',
      'session.timeout.ms': overrides.sessionTimeout ?? 30_000,
      'heartbeat.interval.ms': overrides.heartbeatInterval ?? 3_000,
      'max.poll.interval.ms': this.maxPollIntervalMs,
      'fetch.wait.max.ms': o.batch?.maxWaitMs ?? overrides.maxWaitTimeInMs ?? BATCH_DEFAULTS.maxWaitMs,
      ...(overrides.maxBytes === undefined ? {} : { 'fetch.max.bytes': overrides.maxBytes }),
      ...(overrides.maxBytesPerPartition === undefined
        ? {}
        : { 'max.partition.fetch.bytes': overrides.maxBytesPerPartition }),
    };
    const consumer = new o.rdkafka.KafkaConsumer(
      {
        ...config,
        rebalance_cb: (err, assignment) => {
          void this.onRebalance(err, assignment);
        },
      },
      { 'auto.offset.reset': (o.fromBeginning ?? true) ? 'earliest' : 'latest' },
    );
    consumer.on('event.error', (error) =>
      this.logger.warn({ err: errorJson(error) }, 'librdkafka consumer error; it retries by itself'),
    );
    await call<unknown>((cb) => consumer.connect({}, cb));
    this.consumer = consumer;
    // Waits up to this long for a round's first message, then takes what has arrived (up to maxRecords).
    consumer.setDefaultConsumeTimeout(IDLE_POLL_MS);
    consumer.setDefaultIsTimeoutOnlyForFirstMessage(true);
    consumer.subscribe([this.kafkaTopic]);
    this.loop = this.run();
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
    if (this.state !== 'crashed') this.state = 'stopping';
    this.shutdown.abort(new Error('shutting down'));
    const drained = await withTimeout(this.loop ?? Promise.resolve(), timeoutMs);
    if (!drained)
      this.logger.warn({ timeoutMs }, 'in-flight batches did not finish in time; they will be redelivered');
    const consumer = this.consumer;
    const producer = this.producer;
    if (consumer !== null)
      await withTimeout(
        call<unknown>((cb) => consumer.disconnect(cb)),
        timeoutMs,
      ).catch(() => undefined);
    if (producer !== null)
      await withTimeout(
        call<unknown>((cb) => producer.disconnect(5_000, cb)),
        5_000,
      ).catch(() => undefined);
    this.state = 'stopped';
    this.member = false;
  }

  private async newProducer(): Promise<RdkafkaKafkaProducer> {
    const o = this.options;
    const producer = new o.rdkafka.Producer({
      ...rdkafkaConnection(o.kafka),
      'transactional.id': this.transactionalId,
      'transaction.timeout.ms': this.transactionTimeoutMs,
      'linger.ms': 1,
      // A transaction begun just after the previous commit finds the coordinator still writing that one's
      // markers (CONCURRENT_TRANSACTIONS) and retries after this: librdkafka's 100 ms default (and its
      // exponential growth to 1 s) was the tail of the end-to-end latency (decision 0106).
      'retry.backoff.ms': 5,
      'retry.backoff.max.ms': 10,
      'queue.buffering.max.messages': Math.max(100_000, 4 * this.maxRecords),
      // murmur2 like the Java client and kafkajs: keys land where any other producer would put them.
      partitioner: 'murmur2_random',
      dr_cb: false,
    });
    producer.on('event.error', (error) =>
      this.logger.warn({ err: errorJson(error) }, 'librdkafka producer error; it retries by itself'),
    );
    await call<unknown>((cb) => producer.connect({}, cb));
    await call((cb) => producer.initTransactions(this.transactionTimeoutMs, cb));
    return producer;
  }

  private async onRebalance(err: RdkafkaError, assignment: readonly RdkafkaTopicPartition[]): Promise<void> {
    const consumer = this.consumer!;
    const partitions = assignment.filter((tp) => tp.topic === this.kafkaTopic).map((tp) => tp.partition);
    if (err.code === ERR_ASSIGN_PARTITIONS) {
      consumer.assign(assignment);
      this.assigned = [...partitions].sort((a, b) => a - b);
      this.member = true;
      this.logger.info({ groupId: this.groupId, partitions: this.assigned }, 'joined consumer group');
      return;
    }
    // Revoked (or lost): no round fetched until now is committed from here on; the transaction in flight
    // ends before the partitions go.
    const lost = consumer.assignmentLost();
    this.epoch++;
    this.assigned = [];
    await withTimeout(this.settled(), this.transactionTimeoutMs);
    try {
      consumer.unassign();
    } catch (error) {
      this.logger.warn({ err: errorJson(error) }, 'unassign after a revocation failed');
    }
    this.logger.info({ groupId: this.groupId, partitions, lost }, 'partitions revoked');
  }

  private isCrashed(): boolean {
    return this.state === 'crashed';
  }

  /** Resolves once no transaction is in flight (whatever its outcome). */
  private async settled(): Promise<void> {
    while (this.commit !== null) await this.commit.catch(() => undefined);
  }

  private async run(): Promise<void> {
    const consumer = this.consumer!;
    // Rounds consumed and handed to the handler, oldest first, not yet committed. The loop keeps consuming
    // while a transaction is in flight (every few ms, and at once when it ends), so a record waits for at
    // most the rest of that transaction, then goes in the next one with every round handled by then.
    const inHand: HandledRound[] = [];
    while (this.state === 'running' && !this.isCrashed()) {
      if (this.commit === null) this.commitHandled(inHand);
      if (this.rewindNeeded !== null) {
        await this.rewind(this.rewindNeeded);
        continue;
      }
      const head = inHand[0];
      // With a transaction in flight, rounds are gathered for the next one (up to MAX_ROUNDS_IN_HAND);
      // without, one round at most waits behind the one being handled. A handler that does not return
      // then stops the polling, and the group moves its partitions on after max.poll.interval.
      if (inHand.length >= (this.commit === null ? 2 : MAX_ROUNDS_IN_HAND)) {
        await Promise.race([this.commit?.catch(() => undefined) ?? head!.round, head!.round]);
        continue;
      }
      let timeout = IDLE_POLL_MS;
      if (this.commit !== null || head !== undefined) {
        // Work in flight: take what has arrived every GATHER_MS, or as soon as the transaction ends, or
        // the oldest round is handled (its transaction can start); never waiting at the broker meanwhile.
        await Promise.race([
          sleep(GATHER_MS),
          ...(this.commit === null ? [] : [this.commit.catch(() => undefined)]),
          ...(head === undefined || head.done ? [] : [head.round]),
        ]);
        if (this.commit === null && head !== undefined && head.done) continue; // commit it first
        timeout = 0;
      }
      const epoch = this.epoch;
      const polledAt = Date.now();
      consumer.setDefaultConsumeTimeout(timeout);
      let messages: RdkafkaMessage[];
      try {
        messages = await call<RdkafkaMessage[]>((cb) => consumer.consume(this.maxRecords, cb));
      } catch (error) {
        // Max poll exceeded, a transient broker error: librdkafka recovers by itself (and rebalances).
        this.logger.warn({ err: errorJson(error) }, 'consume failed; polling again');
        await sleep(100);
        continue;
      }
      if (messages.length === 0 || this.state !== 'running') {
        // Nothing new and no transaction in flight: wait for the round being handled (not polling meanwhile).
        const oldest = inHand[0];
        if (this.commit === null && oldest !== undefined && !oldest.done) await oldest.round;
        continue;
      }
      if (epoch !== this.epoch) {
        // A rebalance (or a rewind) happened during the call: its messages may be of the revoked
        // assignment or of the new one, already past the new position. Dropped, and read again from the
        // committed offsets.
        this.rewindNeeded = 'a rebalance happened while polling';
        continue;
      }
      const handled: HandledRound = { done: false, value: null, round: Promise.resolve() };
      handled.round = this.handle(messages, epoch, polledAt).then(
        (value) => {
          handled.value = value;
          handled.done = true;
        },
        (error: unknown) => {
          handled.done = true;
          this.handlerFailed(error);
        },
      );
      inHand.push(handled);
    }
    for (;;) {
      await this.settled();
      if (inHand.length === 0 || this.isCrashed()) break;
      await inHand[0]!.round;
      this.commitHandled(inHand);
    }
    await this.settled();
  }

  /**
   * Starts one transaction for every handled round at the head of `inHand` fetched under the head's
   * assignment (rounds commit in order: one still being handled stops the run). Called only with no
   * transaction in flight.
   */
  private commitHandled(inHand: HandledRound[]): void {
    const rounds: Round[] = [];
    let outputs = 0;
    while (inHand.length > 0 && inHand[0]!.done) {
      const value = inHand[0]!.value;
      const size = value === null ? 0 : outputCount(value);
      if (value !== null && rounds.length > 0) {
        if (value.epoch !== rounds[0]!.epoch) break;
        // A transaction's messages must fit the producer's queue (4 × maxRecords): two rounds' worth.
        if (outputs + size > 2 * this.maxRecords) break;
      }
      inHand.shift();
      if (value !== null) rounds.push(value);
      outputs += size;
    }
    if (rounds.length === 0 || this.isCrashed()) return;
    this.commit = this.commitRound(mergeRounds(rounds)).finally(() => (this.commit = null));
  }

  /**
   * Handling a round threw past the chunk processor (which retries the handler and dead-letters what keeps
   * failing): a defect. Nothing of it is committed; the consumer stops (not ready), and a restart reads
   * from the committed offsets.
   */
  private handlerFailed(error: unknown): void {
    if (this.isCrashed()) return;
    this.state = 'crashed';
    this.member = false;
    this.logger.error(
      { err: errorJson(error) },
      'handling a round failed outside the handler; this batch consumer stops (nothing of it was committed)',
    );
  }

  /** Each partition's share of a consume call through the chunk processor; null when shutdown cut it short. */
  private async handle(
    messages: readonly RdkafkaMessage[],
    epoch: number,
    polledAt: number,
  ): Promise<Round | null> {
    const byPartition = new Map<number, InboundMessage[]>();
    for (const m of messages) {
      let list = byPartition.get(m.partition);
      if (list === undefined) byPartition.set(m.partition, (list = []));
      list.push(this.inbound(m));
    }
    const receivedAt = Date.now();
    // The partitions' chunks are handed over together: a handler that scores off this thread (inference's
    // scoring thread) has them all queued while this thread commits the previous round.
    const prepared = await Promise.all(
      [...byPartition].map(([partition, inbound]) => this.chunks.prepare(partition, inbound, receivedAt)),
    );
    const chunks: PreparedChunk[] = [];
    const next = new Map<number, number>();
    for (const chunk of prepared) {
      if (chunk === null) return null;
      chunks.push(chunk);
      next.set(chunk.partition, Number(chunk.lastOffset) + 1);
    }
    return { chunks, next, epoch, polledAt };
  }

  private async commitRound(round: Round): Promise<void> {
    // A round of an earlier assignment, or fetched by a member the group may have forgotten (it did not
    // poll within max.poll.interval, so its generation may no longer be one the broker refuses): never
    // committed, and read again.
    const stale = Date.now() - round.polledAt >= this.maxPollIntervalMs;
    if (round.epoch !== this.epoch || stale) {
      this.epoch++;
      this.rewindNeeded = stale
        ? 'its poll is older than max.poll.interval'
        : 'it was fetched before a rebalance';
      return;
    }
    const producer = this.producer!;
    try {
      await call((cb) => producer.beginTransaction(cb));
      for (const chunk of round.chunks)
        for (const { topic, messages } of chunk.topicMessages)
          for (const m of messages) producer.produce(topic, null, m.value, m.key);
      await call((cb) =>
        producer.sendOffsetsToTransaction(
          [...round.next].map(([partition, offset]) => ({ topic: this.kafkaTopic, partition, offset })),
          this.consumer!,
          this.transactionTimeoutMs,
          cb,
        ),
      );
      await call((cb) => producer.commitTransaction(this.transactionTimeoutMs, cb));
    } catch (error) {
      await this.afterFailedTransaction(producer, error);
      return;
    }
    for (const [partition, offset] of round.next) {
      const { highOffset } = this.watermark(partition);
      if (highOffset >= 0)
        this.metrics.consumerLag(this.kafkaTopic, partition, Math.max(0, highOffset - offset));
    }
    for (const chunk of round.chunks) chunk.committed();
  }

  private watermark(partition: number): { highOffset: number } {
    try {
      return this.consumer!.getWatermarkOffsets(this.kafkaTopic, partition);
    } catch {
      return { highOffset: -1 };
    }
  }

  private async afterFailedTransaction(producer: RdkafkaKafkaProducer, error: unknown): Promise<void> {
    if (isFenced(error)) {
      // A newer incarnation of this replica started with the same transactional id: this one is a zombie.
      this.state = 'crashed';
      this.member = false;
      this.logger.error(
        { transactionalId: this.transactionalId, err: errorJson(error) },
        'fenced by a newer instance with the same transactional id; this batch consumer stops',
      );
      return;
    }
    this.logger.warn(
      { err: errorJson(error), fatal: isFatal(error) },
      'batch transaction failed; aborted, its records are read again',
    );
    try {
      if (isFatal(error)) throw error;
      await call((cb) => producer.abortTransaction(this.transactionTimeoutMs, cb));
    } catch {
      // The producer cannot go on: a new one with the same id (fencing only this old one).
      await withTimeout(
        call<unknown>((cb) => producer.disconnect(5_000, cb)),
        5_000,
      ).catch(() => undefined);
      this.producer = await this.newProducer();
    }
    // The round handled meanwhile is dropped too; the loop rewinds before its next poll.
    this.epoch++;
    this.rewindNeeded = 'its transaction failed';
  }

  /**
   * Back to the group's committed offsets for every assigned partition (read after the transaction in
   * flight ended): whatever was consumed since and not committed is read again, and nothing committed is
   * read twice. Rounds handled before the rewind are not committed (the epoch moves on).
   */
  private async rewind(why: string): Promise<void> {
    await this.settled();
    this.epoch++;
    const consumer = this.consumer!;
    const assigned = consumer.assignments().filter((tp) => tp.topic === this.kafkaTopic);
    if (assigned.length === 0) {
      this.rewindNeeded = null; // the next assignment starts from the committed offsets anyway
      return;
    }
    let committed: { partition: number; offset: number }[];
    try {
      committed = await call<{ partition: number; offset: number }[]>((cb) =>
        consumer.committed(assigned, 10_000, cb),
      );
    } catch (error) {
      this.logger.warn({ err: errorJson(error), why }, 'reading the committed offsets failed; retrying');
      await sleep(500);
      return; // rewindNeeded stays set
    }
    const reset = (this.options.fromBeginning ?? true) ? OFFSET_BEGINNING : OFFSET_END;
    await Promise.all(
      committed.map(({ partition, offset }) =>
        call((cb) =>
          consumer.seek(
            { topic: this.kafkaTopic, partition, offset: offset >= 0 ? offset : reset },
            5_000,
            cb,
          ),
        ),
      ),
    ).then(
      () => {
        this.rewindNeeded = null;
        this.logger.info(
          { partitions: committed.map((c) => c.partition), why },
          'rewound to the committed offsets',
        );
      },
      (error: unknown) => this.logger.warn({ err: errorJson(error), why }, 'rewind seek failed; retrying'),
    );
  }

  private inbound(message: RdkafkaMessage): InboundMessage {
    return {
      topic: this.options.topic,
      kafkaTopic: this.kafkaTopic,
      partition: message.partition,
      offset: String(message.offset),
      key: message.key ?? null,
      value: message.value,
      timestamp: message.timestamp === undefined ? null : message.timestamp,
    };
  }
}

// librdkafka's logical offsets.
const OFFSET_BEGINNING = -2;
const OFFSET_END = -1;

/** A round handed to the handler: `done` once its promise settled, with its value (null: not to commit). */
interface HandledRound {
  done: boolean;
  value: Round | null;
  round: Promise<void>;
}

/** The messages a round's transaction produces (outputs and dead letters). */
function outputCount(round: Round): number {
  let n = 0;
  for (const chunk of round.chunks) for (const t of chunk.topicMessages) n += t.messages.length;
  return n;
}

/** Consecutive rounds of one assignment as one: their chunks in order, each partition's latest offset. */
function mergeRounds(rounds: readonly Round[]): Round {
  if (rounds.length === 1) return rounds[0]!;
  const next = new Map<number, number>();
  for (const r of rounds) for (const [partition, offset] of r.next) next.set(partition, offset);
  return {
    chunks: rounds.flatMap((r) => r.chunks),
    next,
    epoch: rounds[0]!.epoch,
    polledAt: Math.min(...rounds.map((r) => r.polledAt)),
  };
}

/**
 * Rounds consumed ahead of the transaction in flight, at most (each of at most maxRecords messages); a
 * transaction takes as many as come to two rounds' worth of messages.
 */
const MAX_ROUNDS_IN_HAND = 32;

/** While a transaction or a round is in flight: how often the loop takes what has arrived. */
const GATHER_MS = 5;

/** How long one consume call waits for a first message when the topic is quiet. */
const IDLE_POLL_MS = 100;
