import { kafkaSection, loadConfig, type KafkaSettings } from '@netsentry/config';
import { ContractRegistry, topicName, type EventByTopic } from '@netsentry/contracts';
import { createKafka } from '@netsentry/runtime';
import { randomUUID } from 'node:crypto';

export type PipelineDeadLetter = EventByTopic['pipeline.dlq'];

type Kafka = ReturnType<typeof createKafka>;
type Consumer = ReturnType<Kafka['consumer']>;

/**
 * Reads pipeline.dlq from a point in time on, for as long as a `--wait` lasts: every dead letter written
 * since then is kept (the topic carries pipeline failures and refusals only, so that is few). The topic is
 * read as a throw-away consumer group that commits nothing, read_committed (the stages write dead letters
 * in their transactions). When the topic does not exist yet (no service has started), `poll` tries again.
 */
export class DeadLetterWatch {
  private readonly kafka: Kafka;
  private readonly topic: string;
  private readonly letters: PipelineDeadLetter[] = [];
  private consumer: Consumer | null = null;
  private starting: Promise<void> | null = null;
  private nextTry = 0;
  private undecodable = 0;

  private constructor(
    settings: KafkaSettings,
    private readonly sinceMs: number,
  ) {
    this.kafka = createKafka({ ...settings, clientId: `${settings.clientId}-dlq` });
    this.topic = topicName(settings.topicPrefix, 'pipeline.dlq');
  }

  /** A watch of the deployment's pipeline.dlq (NETSENTRY_KAFKA_*, NETSENTRY_TOPIC_PREFIX) from `sinceMs`. */
  static async open(env: NodeJS.ProcessEnv, sinceMs: number): Promise<DeadLetterWatch> {
    const { kafka } = loadConfig({ kafka: kafkaSection({ clientId: 'netsentry-cli' }) }, env);
    const watch = new DeadLetterWatch(kafka, sinceMs);
    await watch.poll();
    return watch;
  }

  /** Starts reading if it has not yet (at most every 5 s while the topic is missing). */
  async poll(): Promise<void> {
    if (this.consumer !== null || Date.now() < this.nextTry) return;
    this.starting ??= this.start().finally(() => {
      this.starting = null;
    });
    await this.starting;
  }

  /** Dead letters read so far, oldest first. */
  seen(): readonly PipelineDeadLetter[] {
    return this.letters;
  }

  /** Messages on the topic that did not decode as dead letters (never expected; counted, not fatal). */
  get undecodableCount(): number {
    return this.undecodable;
  }

  async close(): Promise<void> {
    await this.starting?.catch(() => undefined);
    const consumer = this.consumer;
    this.consumer = null;
    await consumer?.disconnect();
  }

  private async start(): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    let offsets: { partition: number; offset: string }[];
    try {
      const topics = await admin.listTopics();
      if (!topics.includes(this.topic)) {
        this.nextTry = Date.now() + 5_000;
        return;
      }
      offsets = await admin.fetchTopicOffsetsByTimestamp(this.topic, this.sinceMs);
    } finally {
      await admin.disconnect();
    }
    const consumer = this.kafka.consumer({
      groupId: `netsentry-cli-wait-${randomUUID()}`,
      readUncommitted: false,
      // A fetch in flight holds disconnect() up to this long (kafkajs's default 5 s would end every wait late).
      maxWaitTimeInMs: 250,
    });
    await consumer.connect();
    try {
      await consumer.subscribe({ topic: this.topic, fromBeginning: false });
      const contracts = ContractRegistry.bundled();
      await consumer.run({
        autoCommit: false,
        eachMessage: ({ message }) => {
          if (message.value === null) return Promise.resolve();
          try {
            this.letters.push(contracts.decode('pipeline.dlq', message.value));
          } catch {
            this.undecodable++;
          }
          return Promise.resolve();
        },
      });
      // Applied as each partition is assigned: from the first message at or after `sinceMs`.
      for (const { partition, offset } of offsets) consumer.seek({ topic: this.topic, partition, offset });
    } catch (err) {
      await consumer.disconnect();
      throw err;
    }
    this.consumer = consumer;
  }
}
