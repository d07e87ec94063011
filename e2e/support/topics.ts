import {
  ContractRegistry,
  messageKey,
  rootEnvelope,
  signAdminCommand,
  topicName,
  type AdminCommand,
} from '@netsentry/contracts';
import { newKafka, uniqueName } from '@netsentry/testkit';
import type { Consumer, Kafka, Producer } from 'kafkajs';
import type { E2eSystem } from './start';

const contracts = ContractRegistry.bundled();

/** Kafka as the test's own producer and readers see it, on the system's topic prefix. */
export class Topics {
  readonly kafka: Kafka;
  private producer: Producer | undefined;
  private readonly consumers: Consumer[] = [];

  constructor(private readonly system: E2eSystem) {
    this.kafka = newKafka(uniqueName('e2e'));
  }

  name(topic: Parameters<typeof topicName>[1]): string {
    return topicName(this.system.env.NETSENTRY_TOPIC_PREFIX!, topic);
  }

  /** An admin command signed with `secret` (default: the system's), not yet sent. */
  command(
    command: AdminCommand['command'],
    options: { secret?: string; dataset?: string; target?: string; reason?: string } = {},
  ): AdminCommand {
    return signAdminCommand(
      {
        envelope: rootEnvelope('admin.commands', { producer: { service: 'cli', version: 'e2e' } }),
        command,
        reason: options.reason ?? 'end-to-end test',
        requestedBy: 'e2e',
        targetModelVersion: options.target ?? null,
        datasetName: options.dataset ?? 'phishing',
        nonce: null,
        signature: null,
      },
      options.secret ?? this.system.env.NETSENTRY_ADMIN_SECRET!,
    );
  }

  async send(command: AdminCommand): Promise<string> {
    if (this.producer === undefined) {
      this.producer = this.kafka.producer({ idempotent: true });
      await this.producer.connect();
    }
    await this.producer.send({
      topic: this.name('admin.commands'),
      acks: -1,
      messages: [
        { key: messageKey('admin.commands', command), value: contracts.encode('admin.commands', command) },
      ],
    });
    return command.envelope.eventId;
  }

  /**
   * Follows a topic as a read_committed reader from its current end (or its beginning), decoding each
   * message; `seen` grows as they arrive, each with its arrival time.
   */
  async follow<T>(
    topic: Parameters<typeof topicName>[1],
    decode: (value: Buffer) => T,
    fromBeginning = false,
  ): Promise<{ seen: { at: number; value: T }[] }> {
    const consumer = this.kafka.consumer({ groupId: uniqueName('e2e-follow'), readUncommitted: false });
    this.consumers.push(consumer);
    await consumer.connect();
    await consumer.subscribe({ topic: this.name(topic), fromBeginning });
    const seen: { at: number; value: T }[] = [];
    let joined: () => void = () => undefined;
    const ready = new Promise<void>((r) => (joined = r));
    consumer.on(consumer.events.GROUP_JOIN, () => joined());
    await consumer.run({
      eachMessage: ({ message }) => {
        if (message.value) seen.push({ at: Date.now(), value: decode(message.value) });
        return Promise.resolve();
      },
    });
    await ready;
    return { seen };
  }

  async close(): Promise<void> {
    await Promise.all(this.consumers.map((c) => c.disconnect()));
    await this.producer?.disconnect();
  }
}

export const decodeDeadLetter = (value: Buffer) => contracts.decode('pipeline.dlq', value);
export const decodePrediction = (value: Buffer) => contracts.decode('traffic.predictions', value);
