import { describe, expect, it } from 'vitest';

import { EngineError } from './engine';
import { loadModel } from './models';
import { mergeForests, trainRandomForest } from './random-forest';
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
