import { loadDatasetSchema } from '@netsentry/dataset';
import { createReadStream } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readLabelledFrame } from './dataset-frame';
import { poolNeighbourSearch, WorkerPool } from './engines/worker-pool';
import { takeRows, type LabelledFrame } from './frame';
import { assignSplit } from './split';
import {
  transformDataset,
  transformDatasetOnPool,
  transformDatasetWith,
  type TransformSettings,
} from './transform-dataset';

const repoRoot = resolve(__dirname, '../../..');

const settings: TransformSettings = {
  imputation: 'median',
  knnK: 3,
  resampling: 'auto',
  smoteK: 5,
  seed: 42,
};

async function phishing(): Promise<{
  schema: Awaited<ReturnType<typeof loadDatasetSchema>>;
  train: LabelledFrame;
  test: LabelledFrame;
}> {
  const schema = await loadDatasetSchema(join(repoRoot, 'data/schemas/phishing.yaml'));
  const all = await readLabelledFrame(schema, createReadStream(join(repoRoot, 'data/phishing.csv')));
  const side = assignSplit({ labels: all.labels, testRatio: 0.2, seed: 42, stratified: true });
  const part = (want: number): LabelledFrame => {
    const idx = [...side.keys()].filter((i) => side[i] === want);
    return { features: takeRows(all.features, idx), labels: Uint8Array.from(idx, (i) => all.labels[i]!) };
  };
  return { schema, train: part(0), test: part(1) };
}

describe('transform resampling policy', () => {
  const pool = new WorkerPool({ size: 2 });
  afterAll(() => pool.close());

  it('auto leaves phishing (minority share 0.44) unresampled and says why', async () => {
    const { schema, train, test } = await phishing();
    const out = transformDataset(schema, train, test, settings);
    expect(out.resampling.method).toBe('none');
    expect(out.resampling.reason).toBe('auto: minority share 0.44 ≥ 0.35, not resampled');
    expect(out.unbalancedTrain).toBeNull();
    expect(out.train.rows).toBe(train.labels.length);
    expect(out.classCountsAfter).toEqual(out.classCountsBefore);
    // A higher threshold resamples the same split.
    const higher = transformDataset(schema, train, test, { ...settings, resamplingMinShare: 0.45 });
    const minority = higher.resampling.minorityRows;
    expect(minority).toBe(Math.min(out.classCountsBefore['0']!, out.classCountsBefore['1']!));
    expect(higher.resampling.reason).toBe(
      `auto: minority share 0.44 < 0.45 and ${minority.toLocaleString('en-US')} minority rows < 5,000, resampled with SMOTE-Tomek`,
    );
    // Above the minority rows limit (decision 0101), the same split is not resampled.
    const capped = transformDataset(schema, train, test, {
      ...settings,
      resamplingMinShare: 0.45,
      resamplingMaxMinorityRows: minority,
    });
    expect(capped.resampling.method).toBe('none');
    expect(capped.unbalancedTrain).toBeNull();
    expect(higher.unbalancedTrain?.rows).toBe(train.labels.length);
  }, 120_000);

  it('smote-tomek on the worker pool gives the same rows as in this thread', async () => {
    const { schema, train, test } = await phishing();
    const forced = { ...settings, resampling: 'smote-tomek' as const };
    const local = transformDataset(schema, train, test, forced);
    const pooled = await transformDatasetWith(schema, train, test, forced, poolNeighbourSearch(pool));
    expect(pooled.resampling.reason).toBe('smote-tomek: always resampled (minority share 0.44)');
    expect(pooled.train.rows).toBeGreaterThan(train.labels.length);
    expect(Array.from(pooled.train.X)).toEqual(Array.from(local.train.X));
    expect(Array.from(pooled.train.y)).toEqual(Array.from(local.train.y));
    expect(pooled.classCountsAfter).toEqual(local.classCountsAfter);
  }, 120_000);

  it('everything on the pool (fit, chunked encoding, searches): the same preprocessor and rows, with progress', async () => {
    const { schema, train, test } = await phishing();
    const forced = { ...settings, imputation: 'knn' as const, resampling: 'smote-tomek' as const };
    const local = transformDataset(schema, train, test, forced);
    const phases: { name: string; total: number; last: number; finished: boolean }[] = [];
    const progress = {
      phase(name: string, total: number) {
        const p = { name, total, last: 0, finished: false };
        phases.push(p);
        return { update: (d: number) => void (p.last = d), finish: () => void (p.finished = true) };
      },
    };
    const pooled = await transformDatasetOnPool(schema, train, test, forced, pool, progress);
    expect(pooled.preprocessor).toEqual(local.preprocessor);
    expect(Array.from(pooled.test.X)).toEqual(Array.from(local.test.X));
    expect(Array.from(pooled.unbalancedTrain!.X)).toEqual(Array.from(local.unbalancedTrain!.X));
    expect(Array.from(pooled.train.X)).toEqual(Array.from(local.train.X));
    expect(Array.from(pooled.train.y)).toEqual(Array.from(local.train.y));
    expect(phases.map((p) => p.name)).toEqual(['fit', 'encode', 'smote-neighbours', 'tomek-neighbours']);
    expect(phases.every((p) => p.finished)).toBe(true);
    expect(phases[1]!.last).toBe(train.labels.length + test.labels.length);
    expect(phases[3]!.last).toBe(phases[3]!.total);
  }, 120_000);

  it('a search that fails is not reported done: its phase stays unfinished and the error comes back', async () => {
    const { schema, train, test } = await phishing();
    const forced = { ...settings, resampling: 'smote-tomek' as const };
    const doomed = new WorkerPool({ size: 2 });
    const phases: { name: string; finished: boolean }[] = [];
    const progress = {
      phase(name: string) {
        const p = { name, finished: false };
        phases.push(p);
        // The pool goes away as soon as the Tomek search reports its first progress (a shutdown mid-search).
        if (name === 'tomek-neighbours') void doomed.close();
        return { update: () => undefined, finish: () => void (p.finished = true) };
      },
    };
    await expect(transformDatasetOnPool(schema, train, test, forced, doomed, progress)).rejects.toMatchObject(
      {
        code: 'POOL_CLOSED',
      },
    );
    expect(phases.map((p) => [p.name, p.finished])).toEqual([
      ['fit', true],
      ['encode', true],
      ['smote-neighbours', true],
      ['tomek-neighbours', false],
    ]);
  }, 120_000);
});
