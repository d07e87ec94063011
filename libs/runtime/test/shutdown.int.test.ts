import type { ChildProcess } from 'node:child_process';
import { ContractRegistry, TOPIC_CATALOGUE, topicName } from '@netsentry/contracts';
import { COLLECTIONS } from '@netsentry/registry';
import { newKafka, newMongoClient, uniqueName } from '@netsentry/testkit';
import type { Db, MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { provisionTopics } from '../src/provisioning';
import { ingestedEvent, readTopic } from './support/kafka';
import { spawnFixtureStage } from './support/stage-process';

// SIGTERM in the middle of a stream: a real stage process (test/fixtures/stage-main.ts through runStage) is
// stopped mid-way and started again; nothing may be lost and nothing duplicated.

const EVENTS = 200;
const contracts = ContractRegistry.bundled();
const kafka = newKafka('runtime-shutdown-test');
let mongo: MongoClient;
let db: Db;
const children: ChildProcess[] = [];

beforeAll(async () => {
  mongo = newMongoClient();
  await mongo.connect();
  db = mongo.db(uniqueName('runtime-sigterm'));
});

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  await db.dropDatabase().catch(() => undefined);
  await mongo.close();
});

function startStage(prefix: string): {
  child: ChildProcess;
  exited: Promise<number | null>;
  /** What it printed so far (stdout, then stderr). */
  output: { join(separator: string): string };
} {
  const started = spawnFixtureStage({
    prefix,
    database: db.databaseName,
    env: { NETSENTRY_LOG_LEVEL: 'info', FIXTURE_HANDLER_DELAY_MS: '25' },
  });
  children.push(started.child);
  const output = { join: (separator: string) => [started.stdout(), started.stderr()].join(separator) };
  return { child: started.child, exited: started.exited, output };
}

const completed = (): Promise<number> =>
  db.collection(COLLECTIONS.stageExecutions).countDocuments({ stage: 'validation', status: 'completed' });

describe('graceful shutdown of a stage process', () => {
  it(
    'loses nothing and duplicates nothing when SIGTERM arrives mid-stream',
    { timeout: 180_000 },
    async () => {
      const prefix = uniqueName('sigterm');
      const admin = kafka.admin();
      await admin.connect();
      await provisionTopics(admin, prefix, [
        TOPIC_CATALOGUE['data.ingested'],
        TOPIC_CATALOGUE['data.validated'],
        TOPIC_CATALOGUE['pipeline.dlq'],
      ]);
      await admin.disconnect();

      const events = Array.from({ length: EVENTS }, () => ingestedEvent());
      const producer = kafka.producer();
      await producer.connect();
      await producer.send({
        topic: topicName(prefix, 'data.ingested'),
        messages: events.map((e) => ({ key: e.envelope.runId, value: contracts.encode('data.ingested', e) })),
      });
      await producer.disconnect();

      const first = startStage(prefix);
      await expect.poll(completed, { timeout: 90_000, interval: 100 }).toBeGreaterThanOrEqual(30);
      first.child.kill('SIGTERM');
      const firstExit = await first.exited;
      const afterFirst = await completed();
      expect(firstExit, first.output.join('')).toBe(0);
      expect(afterFirst, 'SIGTERM should land mid-stream').toBeLessThan(EVENTS);
      expect(first.output.join('')).toMatch(/shutdown complete/);

      const second = startStage(prefix);
      await expect.poll(completed, { timeout: 90_000, interval: 250 }).toBe(EVENTS);
      second.child.kill('SIGTERM');
      expect(await second.exited, second.output.join('')).toBe(0);

      const outputs = await readTopic(kafka, topicName(prefix, 'data.validated'), {
        atLeast: EVENTS,
        settleMs: 3_000,
      });
      const decoded = outputs.map((m) => contracts.decode('data.validated', m.value!));
      expect(outputs).toHaveLength(EVENTS);
      expect(new Set(decoded.map((d) => d.envelope.eventId)).size).toBe(EVENTS);
      expect(new Set(decoded.map((d) => d.envelope.causationId))).toEqual(
        new Set(events.map((e) => e.envelope.eventId)),
      );

      const rows = db.collection(COLLECTIONS.stageExecutions);
      expect(await rows.countDocuments({ stage: 'validation' })).toBe(EVENTS);
      expect(await completed()).toBe(EVENTS);
      const dlq = await readTopic(kafka, topicName(prefix, 'pipeline.dlq'), { atLeast: 0, settleMs: 1_000 });
      expect(dlq).toHaveLength(0);
    },
  );
});
