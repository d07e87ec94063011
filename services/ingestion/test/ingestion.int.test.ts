import type { INestApplication } from '@nestjs/common';
import {
  rootEnvelope,
  signAdminCommand,
  topicName,
  type EventByTopic,
  type TopicName,
  type UnsignedAdminCommand,
} from '@netsentry/contracts';
import { Metrics } from '@netsentry/observability';
import type { Stores } from '@netsentry/runtime';
import { readTopic, StageHarness, type TopicCollector } from '@netsentry/testkit';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestSnapshot } from '../src/ingest-snapshot';

// RETRAIN on admin.commands → ingestion (a real stage on Kafka) → data.ingested with a snapshot and a
// stratified split in S3 and lineage in MongoDB. Only a command signed with the deployment's admin secret,
// within the replay window and not seen before, starts a run; and never while the dataset has one running.

const harness = new StageHarness('ingestion');
const { env, kafka, contracts } = harness;
const secret = env.NETSENTRY_ADMIN_SECRET!;
let app: INestApplication;
let stores: Stores;
let dlq: TopicCollector;

beforeAll(async () => {
  stores = await harness.open();
  await harness.loadBundled('phishing');
  app = (await harness.startStages(['ingestion']))[0]!;
  dlq = await harness.collect(['pipeline.dlq']);
}, 180_000);

afterAll(() => harness.close());

const topic = (t: TopicName) => topicName(env.NETSENTRY_TOPIC_PREFIX!, t);

/** A RETRAIN as the CLI builds it, before signing. */
function retrain(datasetName = 'phishing'): EventByTopic['admin.commands'] {
  return {
    envelope: rootEnvelope('admin.commands', { producer: { service: 'cli', version: 'test' } }),
    command: 'RETRAIN',
    reason: 'integration test',
    requestedBy: 'test',
    targetModelVersion: null,
    datasetName,
    nonce: null,
    signature: null,
  };
}

/** Publishes a command as given (signed or not), optionally as v1; returns its event id. */
async function send(
  event: EventByTopic['admin.commands'],
  options: { version?: number } = {},
): Promise<string> {
  await harness.publish('admin.commands', event, options);
  return event.envelope.eventId;
}

async function command(body: Omit<UnsignedAdminCommand, 'envelope'>): Promise<string> {
  const { envelope } = retrain();
  return send(signAdminCommand({ envelope, ...body }, secret));
}

const metricsText = () => app.get(Metrics).registry.metrics();

describe('ingestion stage', () => {
  it('refuses an unsigned, a forged, an altered and a stale RETRAIN to pipeline.dlq, starting nothing', async () => {
    const v1 = await send(retrain(), { version: 1 });
    const unsigned = await send(retrain());
    const forged = await send(signAdminCommand(retrain(), 'f'.repeat(64)));
    const signed = signAdminCommand(retrain(), secret);
    const altered = await send({ ...signed, datasetName: 'nsl-kdd' });
    const stale = await send(signAdminCommand(retrain(), secret, Date.now() - 10 * 60_000));

    const expected: [string, string, RegExp][] = [
      [v1, 'ADMIN_UNSIGNED', /RETRAIN from test refused: the command is not signed \(admin\.commands v1/],
      [unsigned, 'ADMIN_UNSIGNED', /the command is not signed \(admin\.commands v2, no signature\)/],
      [forged, 'ADMIN_BAD_SIGNATURE', /the signature does not match the command \(forged, altered/],
      [altered, 'ADMIN_BAD_SIGNATURE', /the signature does not match the command/],
      [stale, 'ADMIN_STALE', /signed at \S+, 60\d s ago, outside the replay window of 300 s/],
    ];
    for (const [eventId, code, reason] of expected) {
      const letter = await dlq.first('pipeline.dlq', eventId);
      expect(letter).toMatchObject({ errorCode: code, attempts: 1 });
      expect(letter.reason).toMatch(reason);
      expect(await stores.registry.runs.get(`run-${eventId}`)).toBeNull();
    }
    expect(await stores.registry.runs.list({ dataset: 'phishing' })).toEqual([]);
    const text = await metricsText();
    expect(text).toMatch(
      /netsentry_admin_commands_refused_total\{code="ADMIN_UNSIGNED",command="RETRAIN"[^}]*\} 2/,
    );
    expect(text).toMatch(
      /netsentry_admin_commands_refused_total\{code="ADMIN_BAD_SIGNATURE",command="RETRAIN"[^}]*\} 2/,
    );
    expect(text).toMatch(
      /netsentry_admin_commands_refused_total\{code="ADMIN_STALE",command="RETRAIN"[^}]*\} 1/,
    );
  });

  let first: EventByTopic['admin.commands'];

  it('answers a RETRAIN with a snapshot and an 80/20 stratified split in S3, and lineage in MongoDB', async () => {
    // A run of phishing left 'running' three hours ago (a stage dead-lettered it): taken as abandoned.
    await stores.registry.runs.openRun({
      runId: 'run-abandoned',
      correlationId: 'run-abandoned',
      trigger: { commandId: null, reason: 'left running by a crash' },
      dataset: 'phishing',
      startedAt: new Date(Date.now() - 3 * 60 * 60_000),
    });
    first = signAdminCommand(retrain(), secret);
    const commandId = await send(first);
    const [message] = await readTopic(kafka, topic('data.ingested'), { atLeast: 1, timeoutMs: 120_000 });
    const event = contracts.decode('data.ingested', message!.value!);
    expect(event.envelope).toMatchObject({ runId: `run-${commandId}`, causationId: commandId });
    expect(event.rows).toEqual({ snapshot: 11_055, train: 8_844, test: 2_211, duplicates: 5_206 });
    expect(event.split).toEqual({ testRatio: 0.2, seed: 42, stratified: true, duplicateAware: false });
    expect(event.dataset.datasetName).toBe('phishing');

    const test = (await stores.artifacts.getBuffer(event.dataset.test)).toString('utf8').trim().split('\n');
    expect(test).toHaveLength(1 + 2_211);
    expect(test[0]).toMatch(/^having_IP_Address,URL_Length,.*,Result$/);
    const phishingInTest = test.slice(1).filter((l) => l.endsWith(',-1')).length;
    expect(phishingInTest).toBe(Math.round(4_898 * 0.2)); // stratified: 980 of 4,898

    const lineage = await stores.registry.artifacts.lineage(event.dataset.train.uri);
    expect(lineage.ancestors.map((a) => a.artifact.kind)).toEqual(['dataset/snapshot', 'dataset/schema']);
    const run = await stores.registry.runs.get(`run-${commandId}`);
    expect(run).toMatchObject({ status: 'running', dataset: 'phishing' });
    expect(await metricsText()).toMatch(
      /netsentry_admin_commands_verified_total\{command="RETRAIN"[^}]*\} 1/,
    );
  });

  it('refuses the same signed command republished under a new id as a replay, and runs nothing twice', async () => {
    const replay = await send({ ...first, envelope: { ...first.envelope, eventId: randomUUID() } });
    const letter = await dlq.first('pipeline.dlq', replay);
    expect(letter.errorCode).toBe('ADMIN_REPLAYED');
    expect(letter.reason).toMatch(
      new RegExp(
        `RETRAIN from test refused: a replay of command ${first.envelope.eventId} \\(nonce ${first.nonce}`,
      ),
    );
    expect(await stores.registry.runs.get(`run-${replay}`)).toBeNull();
    // The same bytes again: the ledger has it, nothing runs a second time.
    await send(first);
    const ingested = await readTopic(kafka, topic('data.ingested'), { atLeast: 2, timeoutMs: 5_000 });
    expect(ingested).toHaveLength(1);
    expect(await metricsText()).toMatch(
      /netsentry_admin_commands_refused_total\{code="ADMIN_REPLAYED",command="RETRAIN"[^}]*\} 1/,
    );
  });

  it('refuses a second RETRAIN of a dataset while its run is in progress, naming the run', async () => {
    const second = await command({
      command: 'RETRAIN',
      reason: 'again',
      requestedBy: 'test',
      targetModelVersion: null,
      datasetName: 'phishing',
    });
    const letter = await dlq.first('pipeline.dlq', second);
    expect(letter.errorCode).toBe('RUN_IN_PROGRESS');
    expect(letter.reason).toMatch(
      new RegExp(
        `^NonRetryableError: RETRAIN of phishing refused: run run-${first.envelope.eventId} of this dataset is ` +
          'in progress \\(started \\S+, \\d+ min ago\\); send it again when that run has ended\\. A run ' +
          'still running after 120 min \\(NETSENTRY_INGESTION_RUN_MAX_AGE\\) is taken as abandoned',
      ),
    );
    expect(await stores.registry.runs.get(`run-${second}`)).toBeNull();
    expect(await metricsText()).toMatch(
      /netsentry_ingestion_retrain_refused_total\{dataset="phishing"[^}]*\} 1/,
    );
  });

  it('keeps identical feature vectors on one side with the duplicate-aware split', async () => {
    const ingested = await ingestSnapshot(stores, {
      dataset: 'phishing',
      runId: 'run-duplicate-aware',
      eventId: 'test',
      asOf: new Date(),
      split: { testRatio: 0.2, seed: 42, stratified: true, duplicateAware: true },
    });
    const features = (line: string) => line.slice(0, line.lastIndexOf(','));
    const read = async (ref: typeof ingested.dataset.train) =>
      (await stores.artifacts.getBuffer(ref)).toString('utf8').trim().split('\n').slice(1);
    const train = new Set((await read(ingested.dataset.train)).map(features));
    const test = await read(ingested.dataset.test);
    expect(test.filter((line) => train.has(features(line)))).toEqual([]);
    // Whole groups move, so the test share is close to, not exactly, 20%.
    expect(Math.abs(ingested.rows.test / ingested.rows.snapshot - 0.2)).toBeLessThan(0.01);
  });
});
