import { topicName, type TopicName } from '@netsentry/contracts';
import type { Consumer, EachBatchPayload, Kafka, KafkaMessage, Producer } from 'kafkajs';
import {
  plainProducerConfig,
  stageConsumerConfig,
  transactionalProducerConfig,
  type ConsumerOverrides,
} from './kafka-clients';
import { KafkaDeliverySink } from './kafka-sink';
import type { InboundMessage } from './messages';
import { noopMetrics, silentLogger, type RuntimeLogger, type RuntimeMetrics } from './ports';
import { withTimeout } from './shutdown';
import { StagePipeline, errorJson, type StagePipelineOptions } from './stage-pipeline';

export interface MessageLoopOptions {
  kafka: Kafka;
  groupId: string;
  /** Outputs + offset in one transaction with this id; null: produce, then commit (at-least-once). */
  transactionalId: string | null;
  transactionTimeoutMs?: number;
  fromBeginning: boolean;
  consumer?: ConsumerOverrides;
  /** Everything the pipeline needs except the sink, which the loop builds on its own clients. */
  pipeline: Omit<StagePipelineOptions, 'sink'>;
  logger?: RuntimeLogger;
  metrics?: RuntimeMetrics;
}

// Heartbeats while a handler runs, so a long handler (training) does not lose its partitions.
const HANDLER_HEARTBEAT_MS = 3_000;

/**
 * One consumer group, one message at a time per consumer, in partition order, through the StagePipeline:
 * decode, idempotency claim, handler with bounded retries, outputs + offset, dead letters.
 */
export class MessageLoop {
  readonly consumer: Consumer;
  readonly producer: Producer;
  readonly pipeline: StagePipeline;
  private inFlight: Promise<unknown> | null = null;
  private running = false;
  private readonly logger: RuntimeLogger;
  private readonly metrics: RuntimeMetrics;

  constructor(private readonly options: MessageLoopOptions) {
    const { kafka } = options;
    this.logger = options.logger ?? silentLogger;
    this.metrics = options.metrics ?? noopMetrics;
    this.producer = kafka.producer(
      options.transactionalId === null
        ? plainProducerConfig()
        : transactionalProducerConfig(options.transactionalId, options.transactionTimeoutMs ?? 60_000),
    );
    this.consumer = kafka.consumer(stageConsumerConfig(options.groupId, options.consumer));
    const sink = new KafkaDeliverySink(
      this.producer,
      this.consumer,
      options.groupId,
      options.transactionalId !== null,
    );
    this.pipeline = new StagePipeline({ ...options.pipeline, sink });
  }

  /** Connects, subscribes to the pipeline's topics and starts consuming; `signal` aborts on shutdown. */
  async start(signal: AbortSignal): Promise<string[]> {
    const prefix = this.options.pipeline.topicPrefix;
    const kafkaTopics = new Map<string, TopicName>(
      this.pipeline.topics().map((t) => [topicName(prefix, t), t]),
    );
    this.consumer.on(this.consumer.events.GROUP_JOIN, (e) =>
      this.logger.info(
        { groupId: e.payload.groupId, assignment: e.payload.memberAssignment },
        'joined consumer group',
      ),
    );
    await this.producer.connect();
    await this.consumer.connect();
    await this.consumer.subscribe({
      topics: [...kafkaTopics.keys()],
      fromBeginning: this.options.fromBeginning,
    });
    this.running = true;
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      // One transactional producer runs one transaction at a time: partitions are processed in turn.
      partitionsConsumedConcurrently: 1,
      eachBatch: (payload) => this.eachBatch(payload, kafkaTopics, signal),
    });
    return [...kafkaTopics.keys()];
  }

  /** Stops taking messages and waits (bounded) for the in-flight one, then disconnects both clients. */
  async close(timeoutMs: number): Promise<boolean> {
    this.running = false;
    const drained = await withTimeout(this.inFlight ?? Promise.resolve(), timeoutMs);
    await withTimeout(this.consumer.disconnect(), timeoutMs);
    await withTimeout(this.producer.disconnect(), timeoutMs);
    return drained;
  }

  private async eachBatch(
    payload: EachBatchPayload,
    topics: ReadonlyMap<string, TopicName>,
    signal: AbortSignal,
  ): Promise<void> {
    const { batch } = payload;
    const heartbeat = (): Promise<void> => payload.heartbeat();
    const topic = topics.get(batch.topic);
    if (topic === undefined) throw new Error(`consumed unexpected topic ${batch.topic}`);
    for (const message of batch.messages) {
      if (!this.running || !payload.isRunning() || payload.isStale()) break;
      const work = this.withHeartbeat(heartbeat, () =>
        this.pipeline.process(inbound(topic, batch.topic, batch.partition, message), { signal }),
      );
      this.inFlight = work;
      let outcome;
      try {
        outcome = await work;
      } finally {
        this.inFlight = null;
      }
      if (outcome.kind === 'interrupted') break;
      payload.resolveOffset(message.offset);
      const lag = BigInt(batch.highWatermark) - BigInt(message.offset) - 1n;
      this.metrics.consumerLag(batch.topic, batch.partition, Number(lag < 0n ? 0n : lag));
      await heartbeat();
    }
  }

  private async withHeartbeat<T>(heartbeat: () => Promise<void>, work: () => Promise<T>): Promise<T> {
    const timer = setInterval(() => {
      heartbeat().catch((error: unknown) =>
        this.logger.debug({ err: errorJson(error) }, 'heartbeat during handler failed'),
      );
    }, HANDLER_HEARTBEAT_MS);
    try {
      return await work();
    } finally {
      clearInterval(timer);
    }
  }
}

function inbound(
  topic: TopicName,
  kafkaTopic: string,
  partition: number,
  message: KafkaMessage,
): InboundMessage {
  return {
    topic,
    kafkaTopic,
    partition,
    offset: message.offset,
    key: message.key,
    value: message.value,
    timestamp: message.timestamp === undefined ? null : Number(message.timestamp),
  };
}
