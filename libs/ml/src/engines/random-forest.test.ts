import { describe, expect, it } from 'vitest';

import { EngineError } from './engine';
import { loadModel } from './models';
import { mergeForests, trainRandomForest } from './random-forest';
import { gatherLabels, gatherRows } from './jobs';
import { accuracy, syntheticTask } from '../testing';

describe('random forest', () => {
  it('learns the synthetic task and is deterministic for a seed', () => {
    const { X, y } = syntheticTask(5_000, 30, 21);
    const test = syntheticTask(2_000, 30, 22);
    const a = trainRandomForest(X, y, 5_000, 30, { trees: 30, seed: 1 });
    const b = trainRandomForest(X, y, 5_000, 30, { trees: 30, seed: 1 });
    const pa = a.predictProba(test.X, 2_000, 30);
    expect(accuracy(test.y, pa)).toBeGreaterThan(0.75);
    expect(Array.from(b.predictProba(test.X, 2_000, 30))).toEqual(Array.from(pa));
  });

  it('grows on a row selection of a larger matrix exactly the forest of the gathered rows, and scores one', () => {
    const { X, y } = syntheticTask(9_000, 20, 24);
    // A fold's training part (ascending) and an unordered pick, both with nodes big enough for the
    // column-by-column histograms.
    const folds = [
      Int32Array.from({ length: 6_000 }, (_, i) => Math.floor(i * 1.5)),
      Int32Array.from({ length: 4_000 }, (_, i) => (i * 7_919) % 9_000),
    ];
    for (const select of folds) {
      const n = select.length;
      const params = { trees: 6, seed: 8, maxFeatures: 6 };
      const viaSelect = trainRandomForest(X, y, n, 20, params, select);
      const gathered = trainRandomForest(gatherRows(X, 20, select), gatherLabels(y, select), n, 20, params);
      expect(Buffer.from(viaSelect.toBytes()).equals(Buffer.from(gathered.toBytes()))).toBe(true);
      expect(Array.from(viaSelect.predictProba(X, n, 20, select))).toEqual(
        Array.from(gathered.predictProba(gatherRows(X, 20, select), n, 20)),
      );
    }
    expect(() => trainRandomForest(X, y, 2, 20, {}, Int32Array.of(0, 9_000))).toThrow(EngineError);
  });

  it('round-trips through bytes and merges disjoint tree ranges into the whole forest', async () => {
    const { X, y } = syntheticTask(2_000, 10, 23);
    const whole = trainRandomForest(X, y, 2_000, 10, { trees: 8, seed: 5 });
    const loaded = await loadModel(whole.toBytes());
    expect(loaded.kind).toBe('random-forest');
    expect(Array.from(loaded.predictProba(X, 2_000, 10))).toEqual(
      Array.from(whole.predictProba(X, 2_000, 10)),
    );
    const parts = [0, 3].map((first) =>
      trainRandomForest(X, y, 2_000, 10, { trees: first === 0 ? 3 : 5, firstTree: first, seed: 5 }),
    );
    expect(Array.from(mergeForests(parts).predictProba(X, 2_000, 10))).toEqual(
      Array.from(whole.predictProba(X, 2_000, 10)),
    );
  });

  it('sends missing values left consistently and rejects infinities', () => {
    const rows = 400;
    const X = new Float64Array(rows);
    const y = new Uint8Array(rows);
    for (let i = 0; i < rows; i++) {
      X[i] = i % 2 === 0 ? Number.NaN : i;
      y[i] = i % 2 === 0 ? 1 : 0;
    }
    const m = trainRandomForest(X, y, rows, 1, { trees: 5, bootstrap: false });
    const p = m.predictProba(Float64Array.of(Number.NaN, 7), 2, 1);
    expect(p[0]).toBe(1);
    expect(p[1]).toBe(0);
    X[1] = -Infinity;
    expect(() => trainRandomForest(X, y, rows, 1)).toThrow(EngineError);
  });
});
