import type { EventByTopic } from '@netsentry/contracts';
import { decodeMatrix, parsePreprocessor, seededRandom } from '@netsentry/ml';
import { loadRecords } from '@netsentry/records';
import { StageHarness, uniqueName } from '@netsentry/testkit';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// A high-cardinality categorical column through ingestion → validation → transform: 500 distinct values
// in `endpoint`, the schema says `max_categories: 20`, and the transformed matrices carry 20 columns for
// it plus the unknown bucket, every row of the other 480 values in that bucket.

// Validation compares the column's train and test halves as the encoder groups it (decision 0075): the
// split is random, so it passes with validation's default policy.
const harness = new StageHarness('highcard');
let scratch = '';
const dataset = uniqueName('wide').replace(/[^a-z0-9_-]/g, '-');

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'netsentry-highcard-'));
  await harness.open();
  await harness.startStages(['ingestion', 'validation', 'transform']);
}, 120_000);

afterAll(async () => {
  await harness.close();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

/** The run's data.transformed; a data.quarantined of the run fails the test at once, with its reasons. */
async function transformedOrQuarantined(runId: string): Promise<EventByTopic['data.transformed']> {
  const deadline = Date.now() + 180_000;
  const mine = (e: { envelope: { runId?: string | null } }): boolean => e.envelope.runId === runId;
  while (Date.now() < deadline) {
    const done = (
      await harness
        .readEvents('data.transformed', { atLeast: 1, settleMs: 200, timeoutMs: 2_000 })
        .catch(() => [])
    ).find(mine);
    if (done) return done;
    const bad = (
      await harness
        .readEvents('data.quarantined', { atLeast: 1, settleMs: 200, timeoutMs: 2_000 })
        .catch(() => [])
    ).find(mine);
    if (bad) throw new Error(`run quarantined: ${JSON.stringify(bad)}`);
  }
  throw new Error(`no data.transformed for ${runId} within 180 s`);
}

describe('max_categories through transform', () => {
  it('a 500-value categorical column with max_categories: 20 becomes 20 columns plus the unknown bucket', async () => {
    const schemaPath = join(scratch, 'wide.yaml');
    await writeFile(
      schemaPath,
      `format: netsentry/dataset-schema@1
name: ${dataset}
target: { column: label, positive: [attack] }
columns:
  bytes: { type: numeric, min: 0 }
  duration: { type: numeric, min: 0 }
  endpoint: { type: categorical, max_categories: 20 }
  label: { type: categorical, values: [normal, attack] }
`,
    );
    // 4,000 distinct rows; endpoint e<v> for v in 0..499, skewed so the top 20 are clear (v < 20 most often).
    const rnd = seededRandom(7);
    const lines = ['bytes,duration,endpoint,label'];
    for (let i = 0; i < 4_000; i++) {
      const v = i < 2_000 ? i % 20 : i % 500;
      const attack = rnd.next() < 0.4;
      const bytes = Math.round((attack ? 900 : 300) + rnd.next() * 500);
      lines.push(`${bytes},${(rnd.next() * 10).toFixed(4)},e${v},${attack ? 'attack' : 'normal'}`);
    }
    const csvPath = join(scratch, 'wide.csv');
    await writeFile(csvPath, `${lines.join('\n')}\n`);
    const summary = await loadRecords({
      csvPath,
      schemaPath,
      store: harness.stores.records,
      batchSize: 2_000,
    });
    expect(summary.inserted).toBe(4_000);

    const runId = await harness.retrain(dataset, 'high-cardinality test');
    const event = await transformedOrQuarantined(runId);
    const preprocessor = parsePreprocessor(
      (await harness.stores.artifacts.getBuffer(event.preprocessor)).toString('utf8'),
    );
    const endpointColumns = preprocessor.outputFeatures.filter((f) => f.startsWith('endpoint='));
    expect(endpointColumns).toHaveLength(21);
    expect(endpointColumns.at(-1)).toBe('endpoint=__unknown__');
    // The 20 kept are the frequent ones, e0..e19 (in sorted order).
    expect(endpointColumns.slice(0, -1).sort()).toEqual(
      Array.from({ length: 20 }, (_, v) => `endpoint=e${v}`).sort(),
    );
    expect(event.featureCount).toBe(2 + 21);

    const train = decodeMatrix(await harness.stores.artifacts.getBuffer(event.train));
    expect(train.cols).toBe(23);
    const unknown = train.featureNames.indexOf('endpoint=__unknown__');
    const first = train.featureNames.indexOf('endpoint=e0');
    let inUnknown = 0;
    let oneHot = true;
    for (let r = 0; r < train.rows; r++) {
      let sum = 0;
      for (let c = first; c <= unknown; c++) sum += train.X[r * train.cols + c]!;
      if (sum !== 1) oneHot = false;
      inUnknown += train.X[r * train.cols + unknown]!;
    }
    expect(oneHot).toBe(true);
    // Rows 2,000..3,999 cycle through all 500 values: 1,920 of the 4,000 rows hold a value not kept (48%).
    expect(inUnknown / train.rows).toBeGreaterThan(0.42);
    expect(inUnknown / train.rows).toBeLessThan(0.54);
  }, 400_000);
});
