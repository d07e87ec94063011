import { kafkaSection, loadConfig } from '@netsentry/config';
import {
  ContractRegistry,
  messageKey,
  rootEnvelope,
  topicName,
  type EventByTopic,
} from '@netsentry/contracts';
import { createKafka, producerConfig } from '@netsentry/runtime';

export type AdminCommand = EventByTopic['admin.commands'];

export interface CommandRequest {
  readonly command: AdminCommand['command'];
  readonly reason: string;
  readonly targetModelVersion?: string | null;
  readonly datasetName?: string | null;
}

/** Who is asking, as the run history and the alias history show it: `$USER`, else 'operator'. */
export function requester(env: Readonly<Record<string, string | undefined>> = process.env): string {
  const user = env.USER?.trim();
  return user ? user : 'operator';
}

/** An admin command from the CLI; its id (envelope.eventId) is the command id the services log. */
export function adminCommand(
  request: CommandRequest,
  env: Readonly<Record<string, string | undefined>> = process.env,
): AdminCommand {
  return {
    envelope: rootEnvelope('admin.commands', { producer: { service: 'cli', version: '0.1.0' } }),
    command: request.command,
    reason: request.reason,
    requestedBy: requester(env),
    targetModelVersion: request.targetModelVersion ?? null,
    datasetName: request.datasetName ?? null,
  };
}

/** How a command leaves the CLI (publishCommand; tests pass a fake). */
export type Publish = (
  command: AdminCommand,
  env: Readonly<Record<string, string | undefined>>,
) => Promise<void>;

/** Publishes one command on the prefixed admin.commands topic, keyed as the catalogue says (its id). */
export async function publishCommand(
  command: AdminCommand,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<void> {
  const kafka = loadConfig(kafkaSection({ clientId: 'netsentry-cli' }), env);
  const producer = createKafka(kafka).producer(producerConfig({ idempotent: true }));
  await producer.connect();
  try {
    await producer.send({
      topic: topicName(kafka.topicPrefix, 'admin.commands'),
      acks: -1,
      messages: [
        {
          key: messageKey('admin.commands', command),
          value: ContractRegistry.bundled().encode('admin.commands', command),
        },
      ],
    });
  } finally {
    await producer.disconnect();
  }
}
