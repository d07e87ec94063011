import { ContractRegistry, topicName, verifyAdminCommand } from '@netsentry/contracts';
import { isolatedStageEnv, newKafka, readTopic } from '@netsentry/testkit';
import { describe, expect, it } from 'vitest';
import { promote, rollback } from '../src/production';

describe('netsentry rollback / promote', () => {
  it('publish ROLLBACK (of a dataset) and PROMOTE on the prefixed admin topic, keyed by their ids', async () => {
    const env: Record<string, string> = { ...isolatedStageEnv('cli'), USER: 'alice' };
    expect(await rollback({ reason: 'v2 is noisy', dataset: 'nsl-kdd' }, env)).toBe(0);
    expect(await promote('m-20260102030405-1a2b3c4d', { reason: 'fixed upstream' }, env)).toBe(0);
    const messages = await readTopic(
      newKafka('cli-it'),
      topicName(env.NETSENTRY_TOPIC_PREFIX!, 'admin.commands'),
      {
        atLeast: 2,
      },
    );
    const commands = messages.map((m) => ContractRegistry.bundled().decode('admin.commands', m.value!));
    expect(commands).toMatchObject([
      {
        command: 'ROLLBACK',
        targetModelVersion: null,
        datasetName: 'nsl-kdd',
        reason: 'v2 is noisy',
        requestedBy: 'alice',
      },
      {
        command: 'PROMOTE',
        targetModelVersion: 'm-20260102030405-1a2b3c4d',
        datasetName: null,
        requestedBy: 'alice',
      },
    ]);
    expect(messages.map((m) => m.key!.toString())).toEqual(commands.map((c) => c.envelope.eventId));
    for (const c of commands) {
      expect(verifyAdminCommand(c, env.NETSENTRY_ADMIN_SECRET!)).toMatchObject({ ok: true });
    }
    expect(new Set(commands.map((c) => c.nonce)).size).toBe(2);
  });

  it('names the variable when the broker list is missing', async () => {
    await expect(rollback({ reason: 'x' }, {})).rejects.toThrow(/NETSENTRY_KAFKA_BROKERS/);
  });
});
