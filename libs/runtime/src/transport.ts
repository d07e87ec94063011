import 'reflect-metadata';
import { hostname } from 'node:os';
import { Server, type CustomTransportStrategy, type MessageHandler } from '@nestjs/microservices';
import {
  ContractRegistry,
  TOPIC_CATALOGUE,
  topicName,
  type Producer as EventProducer,
  type TopicName,
} from '@netsentry/contracts';
import type { Consumer, Kafka } from 'kafkajs';
import { lastValueFrom } from 'rxjs';
import type { KafkaSettings } from '@netsentry/config';
import { BatchConsumer } from './batch-consumer';
import { resolveBatchClient, type BatchClientChoice, type KafkaClientSetting } from './batch-client';
import type { BatchHandlerOptions, BatchResult, StageBatch, StageBatchConsumer } from './batch-handler';
import type { DeadLetterTopic } from './dead-letter';
import type { StageHandlerExtras } from './decorators';
import type { ConsumerOverrides } from './kafka-clients';
import { MessageLoop } from './message-loop';
import {
  noopMetrics,
  silentLogger,
  type RuntimeHealth,
  type RuntimeLogger,
  type RuntimeMetrics,
  type RunFailures,
  type StageExecutionStore,
} from './ports';
import { RdkafkaBatchConsumer } from './rdkafka-batch-consumer';
import type { RetryPolicy } from './retry';
import type { StageHandlerFn, StageHandlers, StageResult } from './stage-handler';
import { errorJson, type LogFields } from './stage-pipeline';

export { RethrowStageErrors, StageBatchHandler, StageHandler, type StageHandlerOptions } from './decorators';

/** Nest transport id of the Kafka/Avro stage transport. */
export const KAFKA_AVRO_TRANSPORT = Symbol('netsentry.kafka-avro');

export interface KafkaAvroTransportOptions {
  kafka: Kafka;
  /** Stage name: ledger key, metric label, consumer group suffix. */
  stage: string;
  /** Written into every envelope (service + code version). */
  producer: EventProducer;
  topicPrefix: string;
  /** Idempotency ledger; null when Kafka transactions alone give exactly-once (inference). */
  ledger: StageExecutionStore | null;
  /** Ends a run `failed` (stage and reason) when one of its events is dead-lettered; absent: runs untouched. */
  runs?: RunFailures | null;
  /** Default `<prefix>.<stage>`. */
  groupId?: string;
  /** Default 'pipeline.dlq'; inference uses 'traffic.dlq'. */
  deadLetterTopic?: DeadLetterTopic;
  retry?: Partial<RetryPolicy>;
  maxDeliveries?: number;
  /** Outputs + offset in one Kafka transaction (default true); false: produce, then commit. */
  exactlyOnce?: boolean;
  /**
   * Stable per replica so a restarted replica fences its previous incarnation and aborts its open
   * transaction at once. Default `<groupId>.<instanceId>`.
   */
  transactionalId?: string;
  /** This replica's stable name (the pod name on Kubernetes): broadcast groups and ids. Default: the hostname. */
  instanceId?: string;
  transactionTimeoutMs?: number;
  /** How long close() waits for in-flight work before disconnecting anyway. Default 25 s. */
  shutdownTimeoutMs?: number;
  /** Where a new consumer group starts: the earliest offset (default), so no pipeline event is missed. */
  fromBeginning?: boolean;
  consumer?: ConsumerOverrides;
  /** Settings of the @StageBatchHandler methods that override their decorators' (e.g. from config). */
  batch?: Omit<BatchHandlerOptions, 'decode'>;
  /**
   * The Kafka client of the batch consumers (NETSENTRY_KAFKA_CLIENT, decision 0096): `setting` resolved
   * when the first batch consumer is made; `kafka` is how librdkafka reaches the brokers. Default: kafkajs.
   */
  batchClient?: {
    setting: KafkaClientSetting;
    kafka: KafkaSettings;
    env: Readonly<Record<string, string | undefined>>;
  };
  /** Batch consumers join their group only once this resolves (inference: a model is loaded). */
  batchGate?: () => Promise<void>;
  /** Handlers without Nest decorators; merged with the controllers' @StageHandler methods. */
  handlers?: StageHandlers;
  contracts?: ContractRegistry;
  logger?: RuntimeLogger;
  metrics?: RuntimeMetrics;
  health?: RuntimeHealth;
  runInContext?: <R>(fields: LogFields, work: () => Promise<R>) => Promise<R>;
}

export type TransportState = 'idle' | 'starting' | 'running' | 'stopping' | 'stopped' | 'crashed';

interface BatchRegistration {
  topic: TopicName;
  options: BatchHandlerOptions;
  handler: (batch: StageBatch) => Promise<BatchResult>;
}

/**
 * A Nest microservice transport on kafkajs with Avro events. From the controllers' decorators it builds:
 * - @StageHandler methods: one consumer group shared by the replicas, one message at a time through the
 *   StagePipeline (decode, idempotency claim, retries, outputs + offset, dead letters);
 * - @StageHandler(topic, { broadcast: true }): the same, in a group of this instance alone, so every
 *   replica sees every message (control topics);
 * - @StageBatchHandler methods: a BatchConsumer per topic (batches, one transaction per batch, partitions
 *   in parallel), started when `batchGate` resolves.
 */
export class KafkaAvroTransport extends Server implements CustomTransportStrategy {
  override readonly transportId = KAFKA_AVRO_TRANSPORT;
  private loops: MessageLoop[] = [];
  private batchConsumers: StageBatchConsumer[] = [];
  private readonly shutdown = new AbortController();
  private state: TransportState = 'idle';
  private readonly runtimeLogger: RuntimeLogger;
  private readonly metrics: RuntimeMetrics;
  readonly groupId: string;
  readonly instanceId: string;

  constructor(private readonly options: KafkaAvroTransportOptions) {
    super();
    this.runtimeLogger = (options.logger ?? silentLogger).child({ stage: options.stage });
    this.metrics = options.metrics ?? noopMetrics;
    const prefix = options.topicPrefix.replace(/\.+$/, '');
    this.groupId = options.groupId ?? (prefix === '' ? options.stage : `${prefix}.${options.stage}`);
    this.instanceId = options.instanceId ?? hostname();
  }

  get transportState(): TransportState {
    return this.state;
  }

  /** The batch consumers (one per @StageBatchHandler topic), for readiness and tests. */
  get batches(): readonly StageBatchConsumer[] {
    return this.batchConsumers;
  }

  /** Nest calls this on startAllMicroservices(); the callback reports success or the start-up error. */
  listen(callback: (error?: unknown) => void): void {
    this.start().then(
      () => callback(),
      (error: unknown) => callback(error),
    );
  }

  /**
   * Graceful stop: no new messages; in-flight work finishes (bounded by shutdownTimeoutMs) and commits;
   * backoff waits are cut short (that message is redelivered); then consumers leave their groups and the
   * producers disconnect, which aborts any transaction still open.
   */
  async close(): Promise<void> {
    if (this.state === 'stopped' || this.state === 'stopping') return;
    const wasRunning = this.state !== 'idle';
    this.state = 'stopping';
    this.options.health?.markShuttingDown();
    this.shutdown.abort(new Error('shutting down'));
    const timeoutMs = this.options.shutdownTimeoutMs ?? 25_000;
    if (wasRunning) this.runtimeLogger.info({ timeoutMs }, 'stopping: draining in-flight work');
    const results = await Promise.all([
      ...this.loops.map((loop) => loop.close(timeoutMs)),
      ...this.batchConsumers.map((b) => b.close(timeoutMs).then(() => true)),
    ]);
    if (results.includes(false))
      this.runtimeLogger.warn(
        { timeoutMs },
        'in-flight message did not finish in time; it will be redelivered',
      );
    this.state = 'stopped';
    this._status$.next('stopped');
    if (wasRunning) this.runtimeLogger.info({}, 'stopped');
  }

  /** Registers a kafkajs consumer instrumentation listener on the shared group's consumer (after listen()). */
  on<EventKey extends string, EventCallback>(event: EventKey, callback: EventCallback): void {
    const consumer = this.loops[0]?.consumer;
    if (consumer === undefined) throw new Error('call listen() before registering consumer events');
    consumer.on(event as Parameters<Consumer['on']>[0], callback as (...args: unknown[]) => void);
  }

  unwrap<T>(): T {
    const loop = this.loops[0];
    if (loop === undefined) throw new Error('transport not started');
    return { consumer: loop.consumer, producer: loop.producer } as T;
  }

  private async start(): Promise<void> {
    this.state = 'starting';
    const { shared, broadcast, batches } = this.collectHandlers();
    if (Object.keys(shared).length + Object.keys(broadcast).length + batches.length === 0) {
      throw new Error(`stage ${this.options.stage} has no handlers`);
    }
    const exactlyOnce = this.options.exactlyOnce ?? true;
    if (Object.keys(shared).length > 0) {
      this.loops.push(
        this.loop(
          this.groupId,
          shared,
          exactlyOnce ? (this.options.transactionalId ?? `${this.groupId}.${this.instanceId}`) : null,
          this.options.ledger,
          this.options.fromBeginning ?? true,
        ),
      );
    }
    if (Object.keys(broadcast).length > 0) {
      // Its own group per replica, at-least-once: handlers of control topics are idempotent by design.
      this.loops.push(this.loop(`${this.groupId}.${this.instanceId}`, broadcast, null, null, true));
    }
    const topics: string[] = [];
    for (const loop of this.loops) topics.push(...(await loop.start(this.shutdown.signal)));
    // Running before batch consumers: a pipeline stage is ready once its loops consume.
    if (this.state === 'starting') this.state = 'running';
    const client = batches.length > 0 ? this.resolveBatchClient() : null;
    this.batchConsumers = batches.map((b) => this.batchConsumer(b, client!));
    for (const consumer of this.batchConsumers) {
      this.options.health?.register(`kafka:${consumer.groupId}:${consumer.kafkaTopic}`, () => consumer.ready);
    }
    if (this.batchConsumers.length > 0) void this.startBatchConsumers();
    this._status$.next('connected');
    this.runtimeLogger.info(
      {
        groupId: this.groupId,
        topics,
        batchTopics: this.batchConsumers.map((b) => b.kafkaTopic),
        exactlyOnce,
      },
      'stage consuming',
    );
  }

  private async startBatchConsumers(): Promise<void> {
    try {
      await this.options.batchGate?.();
      if (this.state !== 'running') return;
      await Promise.all(this.batchConsumers.map((b) => b.start()));
    } catch (error) {
      this.runtimeLogger.error({ err: errorJson(error) }, 'batch consumer failed to start');
      this.state = 'crashed';
      this._status$.next('crashed');
    }
  }

  private loop(
    groupId: string,
    handlers: StageHandlers,
    transactionalId: string | null,
    ledger: StageExecutionStore | null,
    fromBeginning: boolean,
  ): MessageLoop {
    const o = this.options;
    const loop = new MessageLoop({
      kafka: o.kafka,
      groupId,
      transactionalId,
      fromBeginning,
      ...(o.transactionTimeoutMs === undefined ? {} : { transactionTimeoutMs: o.transactionTimeoutMs }),
      ...(o.consumer === undefined ? {} : { consumer: o.consumer }),
      pipeline: {
        stage: o.stage,
        producer: o.producer,
        topicPrefix: o.topicPrefix,
        handlers,
        ledger,
        runs: o.runs ?? null,
        ...(o.deadLetterTopic === undefined ? {} : { deadLetterTopic: o.deadLetterTopic }),
        ...(o.retry === undefined ? {} : { retry: o.retry }),
        ...(o.maxDeliveries === undefined ? {} : { maxDeliveries: o.maxDeliveries }),
        ...(o.contracts === undefined ? {} : { contracts: o.contracts }),
        ...(o.runInContext === undefined ? {} : { runInContext: o.runInContext }),
        logger: this.runtimeLogger,
        metrics: this.metrics,
      },
      logger: this.runtimeLogger,
      metrics: this.metrics,
    });
    o.health?.register(`kafka:${groupId}`, () => this.state === 'running');
    loop.consumer.on(loop.consumer.events.CRASH, (e) => {
      const fields = { groupId, restart: e.payload.restart, err: errorJson(e.payload.error) };
      if (e.payload.restart) {
        this.runtimeLogger.warn(fields, 'consumer restarting after an error');
        return;
      }
      this.runtimeLogger.error(fields, 'consumer crashed');
      this.state = 'crashed';
      this._status$.next('crashed');
    });
    return loop;
  }

  private resolveBatchClient(): BatchClientChoice {
    const choice = this.options.batchClient;
    const resolved =
      choice === undefined
        ? ({ client: 'kafkajs' } as const)
        : resolveBatchClient(choice.setting, choice.env, this.runtimeLogger);
    this.runtimeLogger.info(
      {
        client: resolved.client,
        setting: choice?.setting ?? 'kafkajs',
        ...(resolved.client === 'rdkafka'
          ? { module: resolved.from, librdkafka: resolved.rdkafka.librdkafkaVersion }
          : {}),
      },
      `batch path on ${resolved.client}`,
    );
    return resolved;
  }

  private batchConsumer(registration: BatchRegistration, client: BatchClientChoice): StageBatchConsumer {
    const o = this.options;
    const common = {
      stage: o.stage,
      groupId: this.groupId,
      topic: registration.topic,
      topicPrefix: o.topicPrefix,
      handler: registration.handler,
      batch: { ...registration.options, ...o.batch },
      producer: o.producer,
      deadLetterTopic: o.deadLetterTopic ?? 'pipeline.dlq',
      fromBeginning: o.fromBeginning ?? true,
      ...(o.transactionTimeoutMs === undefined ? {} : { transactionTimeoutMs: o.transactionTimeoutMs }),
      ...(o.retry === undefined ? {} : { retry: o.retry }),
      ...(o.consumer === undefined ? {} : { consumer: o.consumer }),
      ...(o.contracts === undefined ? {} : { contracts: o.contracts }),
      logger: this.runtimeLogger,
      metrics: this.metrics,
    };
    this.metrics.batchClient?.(topicName(o.topicPrefix, registration.topic), client.client);
    if (client.client === 'rdkafka') {
      return new RdkafkaBatchConsumer({
        ...common,
        rdkafka: client.rdkafka,
        kafka: o.batchClient!.kafka,
        instanceId: this.instanceId,
      });
    }
    return new BatchConsumer({ ...common, kafka: o.kafka });
  }

  /** The controllers' decorated methods, called through Nest (guards, interceptors, filters apply). */
  private collectHandlers(): {
    shared: StageHandlers;
    broadcast: StageHandlers;
    batches: BatchRegistration[];
  } {
    const shared: Partial<Record<TopicName, StageHandlerFn<TopicName>>> = {};
    const broadcast: Partial<Record<TopicName, StageHandlerFn<TopicName>>> = {};
    const batches: BatchRegistration[] = [];
    for (const [pattern, handler] of this.getHandlers()) {
      if (!(pattern in TOPIC_CATALOGUE)) {
        throw new Error(`@StageHandler('${pattern}'): not a catalogue topic (see @netsentry/contracts)`);
      }
      if (handler.next !== undefined) throw new Error(`more than one handler for topic ${pattern}`);
      const topic = pattern as TopicName;
      const extras = (handler.extras as StageHandlerExtras | undefined)?.netsentry;
      if (extras?.batch !== undefined) {
        batches.push({
          topic,
          options: extras.batch,
          handler: (batch) => this.call<BatchResult>(handler, [batch]),
        });
        continue;
      }
      const target = extras?.broadcast === true ? broadcast : shared;
      target[topic] = (event, context) => this.call<StageResult>(handler, [event, context]);
    }
    for (const [topic, fn] of Object.entries(this.options.handlers ?? {})) {
      shared[topic as TopicName] = fn as StageHandlerFn<TopicName>;
    }
    return { shared, broadcast, batches };
  }

  private async call<R>(handler: MessageHandler, args: unknown[]): Promise<R> {
    const result: unknown = await (handler as (...a: unknown[]) => unknown)(...args);
    return (await lastValueFrom(this.transformToObservable(result), { defaultValue: undefined })) as R;
  }
}
