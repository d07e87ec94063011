import { ContractRegistry, topicName, verifyAdminCommand } from '@netsentry/contracts';
import { isolatedStageEnv, newKafka, readTopic } from '@netsentry/testkit';
import { describe, expect, it, vi } from 'vitest';
import { retrain } from '../src/retrain';

describe('netsentry retrain', () => {
  it('publishes one signed RETRAIN command on the prefixed admin topic, keyed by its id', async () => {
    const env = isolatedStageEnv('cli');
    // Everything the command prints: its own line, and nothing from kafkajs (no partitioner notice).
    let printed = '';
    const capture = (chunk: string | Uint8Array): boolean => {
      printed += String(chunk);
      return true;
    };
    vi.spyOn(process.stdout, 'write').mockImplementation(capture);
    vi.spyOn(process.stderr, 'write').mockImplementation(capture);
    const consoleLines: unknown[][] = [];
    for (const method of ['log', 'info', 'warn', 'error'] as const) {
      vi.spyOn(console, method).mockImplementation((...args: unknown[]) => void consoleLines.push(args));
    }
    try {
      expect(await retrain({ dataset: 'nsl-kdd', reason: 'weekly refresh' }, env)).toBe(0);
    } finally {
      vi.restoreAllMocks();
    }
    expect(printed).not.toMatch(/kafkajs|partitioner/i);
    expect(printed).toMatch(/RETRAIN/);
    expect(consoleLines).toEqual([]);
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
