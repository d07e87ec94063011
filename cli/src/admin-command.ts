import { adminSection, kafkaSection, loadConfig } from '@netsentry/config';
import {
  ContractRegistry,
  messageKey,
  rootEnvelope,
  signAdminCommand,
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

/**
 * An admin command from the CLI, not yet signed (`publishCommand` signs it just before sending); its id
 * (envelope.eventId) is the command id the services log.
 */
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
    nonce: null,
    signature: null,
  };
}

/** How a command leaves the CLI (publishCommand; tests pass a fake). */
export type Publish = (
  command: AdminCommand,
  env: Readonly<Record<string, string | undefined>>,
) => Promise<void>;

/**
 * Signs one command with NETSENTRY_ADMIN_SECRET (HMAC-SHA256, a fresh nonce, the signing time) and
 * publishes it on the prefixed admin.commands topic, keyed as the catalogue says (its id). Ingestion and
 * the pusher refuse unsigned, badly signed, stale and replayed commands.
 */
export async function publishCommand(
  unsigned: AdminCommand,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<void> {
  const { kafka, admin } = loadConfig(
    { kafka: kafkaSection({ clientId: 'netsentry-cli' }), admin: adminSection() },
    env,
  );
  const producer = createKafka(kafka).producer(producerConfig({ idempotent: true }));
  await producer.connect();
  try {
    const command = signAdminCommand(unsigned, admin.secret);
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
