import { ContractRegistry, messageKey, topicName, topicSpecs, type EventByTopic } from '@netsentry/contracts';
import { createMongoClient, Registry } from '@netsentry/registry';
import { buildDeadLetter, NonRetryableError, producerConfig, provisionTopics } from '@netsentry/runtime';
import { isolatedStageEnv, newKafka, uniqueName } from '@netsentry/testkit';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { promote, rollback } from '../src/production';
import { retrain } from '../src/retrain';
import { waitForProduction, waitForRun, type RunProgress } from '../src/wait';

// --wait against the real servers: the test plays the services' part through libs/registry's API (a run
// driven to succeeded or quarantined, an alias move) and through pipeline.dlq (a refusal dead letter, as the
// stage runtime writes it), while the CLI's wait is in progress. Own Mongo database and topic prefix.

const env: Record<string, string> = { ...isolatedStageEnv('wait'), USER: 'alice' };
const prefix = env.NETSENTRY_TOPIC_PREFIX!;
const kafka = newKafka('cli-wait-it');
const producer = kafka.producer(producerConfig());
const contracts = ContractRegistry.bundled();
const client = createMongoClient({ uri: env.NETSENTRY_MONGO_URI!, database: env.NETSENTRY_MONGO_DATABASE! });
let registry: Registry;

type AdminCommand = EventByTopic['admin.commands'];
const commands: AdminCommand[] = [];
const consumer = kafka.consumer({ groupId: uniqueName('wait-it') });

beforeAll(async () => {
  const admin = kafka.admin();
  await admin.connect();
  await provisionTopics(
    admin,
    prefix,
    topicSpecs().filter((s) => s.name === 'admin.commands' || s.name === 'pipeline.dlq'),
  );
  await admin.disconnect();
  await producer.connect();
  await client.connect();
  registry = await Registry.connect(client, env.NETSENTRY_MONGO_DATABASE!);
  // The commands the CLI publishes, as the services would read them.
  await consumer.connect();
  await consumer.subscribe({ topic: topicName(prefix, 'admin.commands'), fromBeginning: true });
  await consumer.run({
    eachMessage: ({ message }) => {
      commands.push(contracts.decode('admin.commands', message.value!));
      return Promise.resolve();
    },
  });
}, 120_000);

afterAll(async () => {
  await consumer.disconnect();
  await producer.disconnect();
  await client.close();
});

/** The command the CLI sent with this reason, once it is on admin.commands. */
async function sent(reason: string): Promise<AdminCommand> {
  for (let i = 0; i < 300; i++) {
    const found = commands.find((c) => c.reason === reason);
    if (found) return found;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no command '${reason}' on admin.commands`);
}

/** What a stage writes to pipeline.dlq when it refuses `command` (NonRetryableError with `code`). */
async function refuse(command: AdminCommand, stage: string, code: string, reason: string): Promise<void> {
  const letter = buildDeadLetter({
    stage,
    producer: { service: stage, version: 'test' },
    topic: 'pipeline.dlq',
    source: {
      topic: 'admin.commands',
      kafkaTopic: topicName(prefix, 'admin.commands'),
      partition: 0,
      offset: '0',
      key: Buffer.from(command.envelope.eventId),
      value: contracts.encode('admin.commands', command),
      timestamp: Date.now(),
    },
    error: new NonRetryableError(reason, code),
    attempts: 1,
    cause: command.envelope,
  });
  await producer.send({
    topic: topicName(prefix, 'pipeline.dlq'),
    messages: [{ key: messageKey('pipeline.dlq', letter), value: contracts.encode('pipeline.dlq', letter) }],
  });
}

async function capture(work: () => Promise<number>): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const o = vi
    .spyOn(process.stdout, 'write')
    .mockImplementation((c: string | Uint8Array) => ((out += String(c)), true));
  const e = vi
    .spyOn(process.stderr, 'write')
    .mockImplementation((c: string | Uint8Array) => ((err += String(c)), true));
  try {
    return { code: await work(), out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function recordStage(runId: string, stage: string, status: string, detail: string): Promise<void> {
  await registry.runs.recordStage(runId, stage, { status, eventId: `${stage}-${runId}`, detail });
}

const bundle = (sha: string) => ({
  uri: `s3://b/${sha}.json`,
  sha256: sha.repeat(64).slice(0, 64),
  sizeBytes: 10,
  rowCount: null,
  mediaType: 'application/json',
});

describe('waitForRun', () => {
  it('follows a run to succeeded while its stages report, with progress, the pushed model and stage durations', async () => {
    const runId = `run-${uniqueName('c')}`;
    const progress: RunProgress[] = [];
    const waiting = waitForRun(runId, {
      env,
      pollMs: 200,
      timeoutMs: 60_000,
      onProgress: (p) => progress.push(p),
    });
    await pause(1_500);
    await registry.runs.openRun({
      runId,
      correlationId: runId,
      trigger: { commandId: runId.slice(4), reason: 'it' },
      dataset: 'phishing',
    });
    for (const stage of ['ingestion', 'validation', 'transform', 'trainer', 'evaluator']) {
      await pause(400);
      await recordStage(runId, stage, 'succeeded', `${stage} done`);
    }
    await registry.models.register({
      version: 'm-20261122030000-aaaaaaaa',
      runId,
      dataset: 'phishing',
      bundle: bundle('a'),
      candidate: 'xgboost',
      params: {},
      cvMetrics: { f1: 0.96 },
    });
    await recordStage(runId, 'pusher', 'succeeded', 'pushed');
    await registry.runs.finishRun(runId, 'succeeded');
    const outcome = await waiting;
    expect(outcome).toMatchObject({
      runId,
      status: 'succeeded',
      dataset: 'phishing',
      modelVersion: 'm-20261122030000-aaaaaaaa',
      stage: 'pusher',
    });
    expect(Object.keys(outcome.durations)).toEqual([
      'ingestion',
      'validation',
      'transform',
      'trainer',
      'evaluator',
      'pusher',
    ]);
    expect(Object.values(outcome.durations).every((ms) => ms !== null && ms >= 0)).toBe(true);
    const seen = [...new Set(progress.map((p) => p.stage))];
    expect(seen[0]).toBe('ingestion');
    expect(seen).toEqual(expect.arrayContaining(['validation', 'trainer', 'evaluator']));
  });

  it('ends failed, with the stage, code and reason, when ingestion dead-letters the command of an open run', async () => {
    const commandId = uniqueName('fail');
    const runId = `run-${commandId}`;
    const waiting = waitForRun(runId, { env, pollMs: 200, timeoutMs: 60_000 });
    await registry.runs.openRun({
      runId,
      correlationId: commandId,
      trigger: { commandId, reason: 'it' },
      dataset: 'empty',
    });
    const claim = {
      stage: 'ingestion',
      eventId: commandId,
      runId: null,
      correlationId: commandId,
      topic: 't',
      partition: 0,
      offset: '1',
    };
    expect(await registry.executions.claim(claim)).toMatchObject({ kind: 'claimed' });
    await pause(500);
    const why = "UnknownDatasetError: dataset 'empty' has no records: load it first";
    await registry.executions.recordFailure('ingestion', commandId, {
      message: why,
      code: 'UNKNOWN_DATASET',
    });
    await registry.executions.deadLetter('ingestion', commandId, `non-retryable: ${why}`);
    expect(await waiting).toMatchObject({
      status: 'failed',
      stage: 'ingestion',
      code: 'UNKNOWN_DATASET',
      reason: why,
    });
  });

  it('times out on a run nobody starts, saying so', async () => {
    const outcome = await waitForRun(`run-${uniqueName('none')}`, { env, pollMs: 200, timeoutMs: 1_500 });
    expect(outcome).toMatchObject({ status: 'timeout', report: null });
    expect(outcome.reason).toMatch(/^no run run-none-\S+ after 1\.5 s: is ingestion running/);
  });
});

describe('retrain --wait', () => {
  it('exits 3 with the stage and reason when validation quarantines the run', async () => {
    const reason = uniqueName('quarantine');
    const cli = capture(() => retrain({ dataset: 'phishing', reason, wait: true, timeout: 60 }, env));
    const command = await sent(reason);
    const runId = `run-${command.envelope.eventId}`;
    await registry.runs.openRun({
      runId,
      correlationId: command.envelope.eventId,
      trigger: { commandId: command.envelope.eventId, reason },
      dataset: 'phishing',
    });
    await recordStage(runId, 'ingestion', 'succeeded', '100 rows');
    await pause(500);
    await recordStage(runId, 'validation', 'quarantined', 'FAILED: label share drifted');
    await registry.runs.finishRun(runId, 'quarantined', {
      reason: 'label share 0.91 vs 0.44 in the reference',
    });
    const { code, out, err } = await cli;
    expect(code).toBe(3);
    expect(out).toMatch(
      new RegExp(
        `^run ${runId} quarantined at validation after \\S+ \\S+: label share 0\\.91 vs 0\\.44 in the reference$`,
        'm',
      ),
    );
    expect(err).toContain(runId); // the progress line
  });

  it('exits 5 with the code and reason when ingestion refuses the RETRAIN to pipeline.dlq (RUN_IN_PROGRESS)', async () => {
    const reason = uniqueName('refused');
    const cli = capture(() => retrain({ dataset: 'phishing', reason, wait: true, timeout: 60 }, env));
    const command = await sent(reason);
    await pause(1_000);
    await refuse(
      command,
      'ingestion',
      'RUN_IN_PROGRESS',
      'RETRAIN of phishing refused: run run-x of this dataset is in progress',
    );
    const { code, out } = await cli;
    expect(code).toBe(5);
    expect(out).toContain(
      'RETRAIN refused (RUN_IN_PROGRESS): RETRAIN of phishing refused: run run-x of this dataset is in progress',
    );
  });

  it('exits 6 when nothing happens before --timeout', async () => {
    const { code, out } = await capture(() =>
      retrain({ reason: uniqueName('slow'), wait: true, timeout: 2 }, env),
    );
    expect(code).toBe(6);
    expect(out).toMatch(/^timed out: no run run-\S+ after 2\.0 s/m);
  });
});

describe('promote --wait, rollback --wait', () => {
  it('promote exits 0 once the pusher moved production under the command id', async () => {
    await registry.runs.openRun({
      runId: 'run-p',
      correlationId: 'p',
      trigger: { commandId: null, reason: 'it' },
      dataset: 'nsl-kdd',
    });
    for (const [version, sha] of [
      ['m-20261122030000-bbbbbbbb', 'b'],
      ['m-20261122040000-cccccccc', 'c'],
    ] as const) {
      await registry.models.register({
        version,
        runId: 'run-p',
        dataset: 'nsl-kdd',
        bundle: bundle(sha),
        candidate: 'xgboost',
        params: {},
        cvMetrics: { f1: 0.98 },
      });
      await registry.models.transition(version, ['trained'], 'accepted', { testMetrics: { f1: 0.99 } });
    }
    await registry.aliases.move('production-nsl-kdd', 'm-20261122030000-bbbbbbbb', {
      expectedRevision: 0,
      reason: 'FLOORS_ONLY',
      actor: 'pusher',
      action: 'PUSH',
      eventId: 'push-1',
    });
    const reason = uniqueName('promote');
    const cli = capture(() => promote('m-20261122040000-cccccccc', { reason, wait: true, timeout: 60 }, env));
    const command = await sent(reason);
    await pause(1_000);
    await registry.aliases.move('production-nsl-kdd', 'm-20261122040000-cccccccc', {
      expectedRevision: 1,
      reason,
      actor: 'alice',
      action: 'PROMOTE',
      eventId: command.envelope.eventId,
    });
    const { code, out } = await cli;
    expect(code).toBe(0);
    expect(out).toMatch(
      /^PROMOTE m-20261122040000-cccccccc done in \S+ \S+: production of nsl-kdd is m-20261122040000-cccccccc \(was m-20261122030000-bbbbbbbb\)$/m,
    );
  });

  it('rollback exits 5 when the pusher refuses it to pipeline.dlq, production unchanged', async () => {
    const reason = uniqueName('rollback');
    const cli = capture(() => rollback({ dataset: 'nsl-kdd', reason, wait: true, timeout: 60 }, env));
    const command = await sent(reason);
    await pause(1_000);
    await refuse(
      command,
      'pusher',
      'NOTHING_TO_ROLL_BACK',
      "ROLLBACK refused: nothing to roll back to (dataset 'nsl-kdd')",
    );
    const { code, out } = await cli;
    expect(code).toBe(5);
    expect(out).toContain(
      "ROLLBACK refused (NOTHING_TO_ROLL_BACK): ROLLBACK refused: nothing to roll back to (dataset 'nsl-kdd'); production of nsl-kdd is m-20261122040000-cccccccc",
    );
  });

  it('waitForProduction reads a refusal written before the wait began', async () => {
    const command = { ...commands[0]!, envelope: { ...commands[0]!.envelope, eventId: uniqueName('early') } };
    await refuse(command, 'pusher', 'NOT_ACCEPTED', 'PROMOTE refused: model m-9 is quarantined');
    const outcome = await waitForProduction('nsl-kdd', {
      env,
      commandId: command.envelope.eventId,
      command: 'PROMOTE',
      expectVersion: 'm-9',
      pollMs: 200,
      timeoutMs: 30_000,
    });
    expect(outcome).toMatchObject({
      status: 'refused',
      code: 'NOT_ACCEPTED',
      reason: 'PROMOTE refused: model m-9 is quarantined',
      version: 'm-20261122040000-cccccccc',
    });
  });
});
