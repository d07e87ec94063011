import { ContractRegistry, topicName, verifyAdminCommand } from '@netsentry/contracts';
import { isolatedStageEnv, newKafka, readTopic } from '@netsentry/testkit';
import { describe, expect, it } from 'vitest';
import { retrain } from '../src/retrain';

describe('netsentry retrain', () => {
  it('publishes one signed RETRAIN command on the prefixed admin topic, keyed by its id', async () => {
    const env = isolatedStageEnv('cli');
    expect(await retrain({ dataset: 'nsl-kdd', reason: 'weekly refresh' }, env)).toBe(0);
    const [message] = await readTopic(
      newKafka('cli-it'),
      topicName(env.NETSENTRY_TOPIC_PREFIX!, 'admin.commands'),
      {
        atLeast: 1,
      },
    );
    const command = ContractRegistry.bundled().decode('admin.commands', message!.value!);
    expect(command).toMatchObject({ command: 'RETRAIN', datasetName: 'nsl-kdd', reason: 'weekly refresh' });
    expect(message!.key!.toString()).toBe(command.envelope.eventId);
    // Signed with the deployment's admin secret, just now: ingestion will accept it.
    expect(verifyAdminCommand(command, env.NETSENTRY_ADMIN_SECRET!)).toMatchObject({ ok: true });
    expect(verifyAdminCommand(command, 'another-secret-of-thirty-two-chars!')).toMatchObject({
      ok: false,
      code: 'ADMIN_BAD_SIGNATURE',
    });
  });

  it('refuses to send an unsigned command: it names NETSENTRY_ADMIN_SECRET when it is missing', async () => {
    const { NETSENTRY_ADMIN_SECRET: _secret, ...env } = isolatedStageEnv('cli');
    await expect(retrain({ reason: 'x' }, env)).rejects.toThrow(/NETSENTRY_ADMIN_SECRET/);
  });

  it('names the variable when the broker list is missing', async () => {
    await expect(retrain({ reason: 'x' }, {})).rejects.toThrow(/NETSENTRY_KAFKA_BROKERS/);
  });
});
