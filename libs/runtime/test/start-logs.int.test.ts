import type { ChildProcess } from 'node:child_process';
import { ContractRegistry, topicName } from '@netsentry/contracts';
import { duplicateKeys } from '@netsentry/observability';
import { newKafka, newMongoClient, uniqueName } from '@netsentry/testkit';
import type { Db, MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestedEvent } from './support/kafka';
import { spawnFixtureStage } from './support/stage-process';

// What an operator reads when the services start: two real stage processes (test/fixtures/stage-main.ts
// through runStage, as every service's main.ts) start at the same moment on a fresh topic prefix, both
// provisioning the catalogue topics as the services do, handle an event and stop. Their stdout is the
// log; every line is checked as raw text.

const contracts = ContractRegistry.bundled();
let mongo: MongoClient;
let db: Db;
const children: ChildProcess[] = [];

beforeAll(async () => {
  mongo = newMongoClient();
  await mongo.connect();
  db = mongo.db(uniqueName('runtime-start-logs'));
});

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  await db.dropDatabase().catch(() => undefined);
  await mongo.close();
});

interface Started {
  child: ChildProcess;
  exited: Promise<number | null>;
  stdout: () => string[];
  stderr: () => string;
}

function startStage(stage: string, prefix: string): Started {
  const started = spawnFixtureStage({
    prefix,
    database: db.databaseName,
    env: {
      // Debug, so that the kafkajs lines that must not be errors are there to be checked.
      NETSENTRY_LOG_LEVEL: 'debug',
      FIXTURE_STAGE: stage,
      FIXTURE_PROVISION: '1',
      FIXTURE_HANDLER_DELAY_MS: '5',
    },
  });
  children.push(started.child);
  return {
    child: started.child,
    exited: started.exited,
    stdout: () =>
      started
        .stdout()
        .split('\n')
        .filter((l) => l.length > 0),
    stderr: started.stderr,
  };
}

const parsed = (lines: string[]): Record<string, unknown>[] =>
  lines.map((l) => JSON.parse(l) as Record<string, unknown>);

/** kafkajs's own reports of what a normal start goes through: other replicas' topics, leader elections. */
const STARTUP_NOISE =
  /Topic creation errors|already exists|leadership election|not the leader|LEADER_NOT_AVAILABLE|does not host this topic-partition|coordinator/i;

describe('the log of a normal start', () => {
  it(
    'has no error line, no line with a key twice, and kafkajs start-up noise at debug or info',
    { timeout: 180_000 },
    async () => {
      const prefix = uniqueName('startlogs');
      const stages = [startStage('validation', prefix), startStage('transform', prefix)];
      const logs = () => stages.map((s) => parsed(s.stdout()));
      await expect
        .poll(() => logs().every((l) => l.some((r) => r.msg === 'fixture ready')), {
          timeout: 120_000,
          interval: 250,
        })
        .toBe(true);

      const event = ingestedEvent();
      const kafka = newKafka('runtime-start-logs-test');
      const producer = kafka.producer();
      await producer.connect();
      await producer.send({
        topic: topicName(prefix, 'data.ingested'),
        messages: [{ key: event.envelope.runId, value: contracts.encode('data.ingested', event) }],
      });
      await producer.disconnect();
      await expect
        .poll(() => logs().every((l) => l.some((r) => r.msg === 'fixture handled')), {
          timeout: 60_000,
          interval: 250,
        })
        .toBe(true);

      for (const s of stages) s.child.kill('SIGTERM');
      const codes = await Promise.all(stages.map((s) => s.exited));
      const context = stages.map((s) => s.stderr() + s.stdout().join('\n')).join('\n----\n');
      expect(codes, context).toEqual([0, 0]);

      const lines = stages.flatMap((s) => s.stdout());
      const records = parsed(lines);
      expect(records.length).toBeGreaterThan(20);
      // Every line of stdout is one JSON object (nothing printed around the logger) ...
      expect(records.every((r) => typeof r.level === 'string' && typeof r.msg === 'string')).toBe(true);
      // ... no line names a key twice (pino would append a child's repeated binding) ...
      expect(lines.filter((l) => duplicateKeys(l).length > 0)).toEqual([]);
      // ... nothing at error or fatal: nobody has to act on a normal start ...
      expect(records.filter((r) => r.level === 'error' || r.level === 'fatal')).toEqual([]);
      // ... and no warning either (kafkajs's partitioner notice, its leader-election reports).
      expect(records.filter((r) => r.level === 'warn')).toEqual([]);
      const noise = records.filter((r) => r.component === 'kafkajs' && STARTUP_NOISE.test(JSON.stringify(r)));
      for (const r of noise) expect(['debug', 'info']).toContain(r.level);
      expect(stages.map((s) => s.stderr()).join('')).toBe('');

      // The handler's own line carries its run once, beside the stage and the event ids.
      const handled = records.filter((r) => r.msg === 'fixture handled');
      expect(handled).toHaveLength(2);
      for (const r of handled) {
        expect(r).toMatchObject({
          runId: event.envelope.runId,
          eventId: event.envelope.eventId,
          correlationId: event.envelope.correlationId,
        });
        expect(['validation', 'transform']).toContain(r.stage);
      }
    },
  );
});
