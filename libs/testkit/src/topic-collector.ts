import type { ContractRegistry, EventByTopic, TopicName } from '@netsentry/contracts';
import type { Consumer, Kafka } from 'kafkajs';
import { uniqueName } from './clients';

/**
 * Every event on some topics, decoded, collected by one read_committed consumer from the beginning for a
 * whole test file: what a stage emitted in answer to an event is looked up by the event's id (causation).
 */
export class TopicCollector {
  private readonly seen: { topic: TopicName; event: EventByTopic[TopicName] }[] = [];

  private constructor(private readonly consumer: Consumer) {}

  static async start(
    kafka: Kafka,
    contracts: ContractRegistry,
    topics: readonly TopicName[],
    kafkaTopic: (t: TopicName) => string,
  ): Promise<TopicCollector> {
    const consumer = kafka.consumer({ groupId: uniqueName('collector'), readUncommitted: false });
    const collector = new TopicCollector(consumer);
    const byKafkaTopic = new Map(topics.map((t) => [kafkaTopic(t), t]));
    await consumer.connect();
    await consumer.subscribe({ topics: [...byKafkaTopic.keys()], fromBeginning: true });
    await consumer.run({
      eachMessage: ({ topic, message }) => {
        const t = byKafkaTopic.get(topic)!;
        collector.seen.push({ topic: t, event: contracts.decode(t, message.value!) });
        return Promise.resolve();
      },
    });
    return collector;
  }

  /** The events on `t` caused by the event `eventId`, so far. */
  causedBy<T extends TopicName>(t: T, eventId: string): EventByTopic[T][] {
    return this.seen
      .filter((s) => s.topic === t && s.event.envelope.causationId === eventId)
      .map((s) => s.event as EventByTopic[T]);
  }

  /** The first event on `t` caused by `eventId`, waiting up to `timeoutMs` for it. */
  async first<T extends TopicName>(t: T, eventId: string, timeoutMs = 60_000): Promise<EventByTopic[T]> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const found = this.causedBy(t, eventId)[0];
      if (found) return found;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`no ${t} caused by ${eventId} within ${timeoutMs} ms`);
  }

  stop(): Promise<void> {
    return this.consumer.disconnect();
  }
}
