import { rootEnvelope, topicName, type EventByTopic } from '@netsentry/contracts';
import type { Stores } from '@netsentry/runtime';
import { readTopic, StageHarness } from '@netsentry/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// data.ingested → validation (a real stage on Kafka) → data.validated for the bundled phishing data, and
// data.quarantined naming the column for a snapshot whose test split has one column shifted. The snapshot
// is the ingestion stage's own, made on a topic prefix of its own so that validation sees only the
// data.ingested events this file publishes.

const harness = new StageHarness('validation');
const { env, contracts, kafka } = harness;
const upstream = harness.branch({ NETSENTRY_TOPIC_PREFIX: `${env.NETSENTRY_TOPIC_PREFIX}.upstream` });
let stores: Stores;
let ingested: Omit<EventByTopic['data.ingested'], 'envelope'>;

beforeAll(async () => {
  stores = await harness.open();
  await harness.loadBundled('phishing');
  await upstream.startStages(['ingestion']);
  const snapshotRun = await upstream.retrain('phishing', 'validation test snapshot');
  const [snapshot] = await upstream.untilEvents('data.ingested', (e) => e.envelope.runId === snapshotRun, {
    timeoutMs: 120_000,
  });
  const { envelope: _envelope, ...body } = snapshot!;
  ingested = body;
  await stores.registry.runs.openRun({
    runId: 'run-validation-it',
    correlationId: 'c',
    trigger: { commandId: 'setup', reason: 'test' },
    dataset: 'phishing',
  });
  await harness.startStages(['validation']);
}, 240_000);

afterAll(() => harness.close());

async function publish(body: Omit<EventByTopic['data.ingested'], 'envelope'>): Promise<string> {
  const envelope = rootEnvelope('data.ingested', {
    producer: { service: 'ingestion', version: 'test' },
    runId: 'run-validation-it',
  });
  await harness.publish('data.ingested', { envelope, ...body }, { key: 'run-validation-it' });
  return envelope.eventId;
}

describe('validation stage', () => {
  it('passes the bundled phishing snapshot and stores its report and reference profile', async () => {
    const eventId = await publish(ingested);
    const [message] = await readTopic(kafka, topicName(env.NETSENTRY_TOPIC_PREFIX!, 'data.validated'), {
      atLeast: 1,
      timeoutMs: 120_000,
    });
    const event = contracts.decode('data.validated', message!.value!);
    expect(event.envelope.causationId).toBe(eventId);
    expect(event.verdict).toMatch(/^PASSED/);
    expect(event.driftedColumns).toEqual([]);
    expect(event.referenceModelVersion).toBeNull();
    const report = await stores.artifacts.getJson<{
      verdict: string;
      conformance: { train: { rows: number } };
    }>(event.report);
    expect(report.conformance.train.rows).toBe(8_844);
    const kinds = (await stores.registry.artifacts.byRun('run-validation-it')).map((a) => a.kind);
    expect(kinds).toEqual(expect.arrayContaining(['report/validation', 'profile/reference']));
  });

  it('quarantines a snapshot whose test split has one column shifted, naming the column', async () => {
    const testCsv = (await stores.artifacts.getBuffer(ingested.dataset.test))
      .toString('utf8')
      .trim()
      .split('\n');
    const column = testCsv[0]!.split(',').indexOf('SSLfinal_State');
    const shifted = [
      testCsv[0]!,
      ...testCsv.slice(1).map((line) => {
        const cells = line.split(',');
        cells[column] = '-1'; // every test row now looks like a site without a valid certificate
        return cells.join(',');
      }),
    ].join('\n');
    const test = await stores.artifacts.put({
      runId: 'run-validation-it',
      kind: 'dataset/test-shifted',
      body: Buffer.from(`${shifted}\n`),
      mediaType: 'text/csv',
      rowCount: testCsv.length - 1,
    });
    await publish({ ...ingested, dataset: { ...ingested.dataset, test } });
    const [message] = await readTopic(kafka, topicName(env.NETSENTRY_TOPIC_PREFIX!, 'data.quarantined'), {
      atLeast: 1,
      timeoutMs: 120_000,
    });
    const event = contracts.decode('data.quarantined', message!.value!);
    expect(event.verdict).toBe('DRIFTED');
    expect(event.driftedColumns).toEqual(['SSLfinal_State']);
    expect(event.reasons.join('\n')).toMatch(/train vs test: .*SSLfinal_State/);
  });
});
