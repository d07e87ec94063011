import type { EventByTopic } from '@netsentry/contracts';
import { decodeMatrix, parsePreprocessor } from '@netsentry/ml';
import type { Stores } from '@netsentry/runtime';
import { StageHarness } from '@netsentry/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The first half of the pipeline with real servers: records loaded into MongoDB, then a RETRAIN on
// admin.commands flows ingestion → validation → transform, each stage a real Kafka consumer, leaving its
// artifacts in S3 and lineage in MongoDB. Run for phishing and for NSL-KDD with nothing but its schema file.

// This test covers the SMOTE-Tomek path (unbalanced train, resampling settings): phishing's minority share
// (0.44) is above the `auto` threshold, so resampling is asked for explicitly.
const harness = new StageHarness('pipeline', { env: { NETSENTRY_TRANSFORM_RESAMPLING: 'smote-tomek' } });
let stores: Stores;

beforeAll(async () => {
  stores = await harness.open();
  await harness.startStages(['ingestion', 'validation', 'transform']);
}, 120_000);

afterAll(() => harness.close());

const retrain = (dataset: string): Promise<string> => harness.retrain(dataset, `pipeline test ${dataset}`);

async function transformedFor(runId: string): Promise<EventByTopic['data.transformed']> {
  const [mine] = await harness.untilEvents('data.transformed', (e) => e.envelope.runId === runId, {
    timeoutMs: 540_000,
  });
  return mine!;
}

describe('load → ingestion → validation → transform', () => {
  it('phishing: a balanced, encoded train matrix, an untouched test matrix, and lineage back to the schema', async () => {
    await harness.loadBundled('phishing');
    const runId = await retrain('phishing');
    const event = await transformedFor(runId);
    expect(event.resampling).toBe('SMOTE_TOMEK');
    expect(event.classCountsBefore).toEqual({ '0': 4_926, '1': 3_918 });
    // SMOTE brings the minority up to the majority; then both members of each Tomek link are removed
    // (imbalanced-learn's SMOTETomek default), so both classes end a little under 4,926.
    for (const cls of ['0', '1']) {
      expect(event.classCountsAfter[cls]).toBeLessThanOrEqual(4_926);
      expect(event.classCountsAfter[cls]).toBeGreaterThan(4_500);
    }

    const test = decodeMatrix(await stores.artifacts.getBuffer(event.test));
    expect(test.rows).toBe(2_211); // never resampled
    expect(test.cols).toBe(event.featureCount);
    const train = decodeMatrix(await stores.artifacts.getBuffer(event.train));
    expect(train.rows).toBe(event.classCountsAfter['0']! + event.classCountsAfter['1']!);

    const preprocessor = parsePreprocessor(
      (await stores.artifacts.getBuffer(event.preprocessor)).toString('utf8'),
    );
    expect(preprocessor.outputFeatures).toEqual(train.featureNames);

    // The train matrix before resampling, for the trainer to cross-validate on and rebalance per fold.
    expect(event.resamplingSettings).toEqual({ k: 5, seed: 42 });
    expect(event.unbalancedTrain).not.toBeNull();
    const unbalanced = decodeMatrix(await stores.artifacts.getBuffer(event.unbalancedTrain!));
    expect(unbalanced.rows).toBe(4_926 + 3_918);
    expect(unbalanced.featureNames).toEqual(train.featureNames);
    expect(unbalanced.y.reduce((n, v) => n + v, 0)).toBe(3_918);
    // SMOTE keeps the original rows and Tomek removes few: most unbalanced rows are in train as they are.
    const trainRows = new Set(
      Array.from({ length: train.rows }, (_, r) =>
        train.X.subarray(r * train.cols, (r + 1) * train.cols).join(),
      ),
    );
    let kept = 0;
    for (let r = 0; r < unbalanced.rows; r++) {
      if (trainRows.has(unbalanced.X.subarray(r * unbalanced.cols, (r + 1) * unbalanced.cols).join())) kept++;
    }
    expect(kept / unbalanced.rows).toBeGreaterThan(0.9);

    for (const ref of [event.train, event.unbalancedTrain!]) {
      const lineage = await stores.registry.artifacts.lineage(ref.uri);
      expect(lineage.ancestors.map((a) => a.artifact.kind)).toEqual(
        expect.arrayContaining(['dataset/train', 'model/preprocessor', 'dataset/snapshot', 'dataset/schema']),
      );
    }
    expect((await stores.registry.artifacts.get(event.unbalancedTrain!.uri))?.kind).toBe(
      'dataset/train-unbalanced',
    );
    const run = await stores.registry.runs.get(runId);
    expect(Object.keys(run!.stages).sort()).toEqual(['ingestion', 'transform', 'validation']);
  }, 600_000);

  it('NSL-KDD: only its schema file; categorical columns one-hot encoded with an unknown bucket', async () => {
    const summary = await harness.loadBundled('nsl-kdd');
    expect(summary.inserted).toBe(22_544);
    const runId = await retrain('nsl-kdd');
    const event = await transformedFor(runId);
    expect(event.dataset.datasetName).toBe('nsl-kdd');
    const preprocessor = parsePreprocessor(
      (await stores.artifacts.getBuffer(event.preprocessor)).toString('utf8'),
    );
    const names = preprocessor.outputFeatures;
    expect(names.filter((n) => n.startsWith('protocol_type'))).toHaveLength(4); // tcp, udp, icmp + unknown
    expect(names.some((n) => n.startsWith('service') && /unknown/.test(n))).toBe(true);
    expect(event.featureCount).toBe(names.length);
    // Attack names never seen in training are attacks too: the target maps by the negative label.
    const positives = event.classCountsBefore['1']!;
    expect(positives / (positives + event.classCountsBefore['0']!)).toBeCloseTo(12_833 / 22_544, 2);
  }, 600_000);
});
