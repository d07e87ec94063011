import { describe, expect, it } from 'vitest';

import { EngineError } from './engine';
import { syntheticTask } from '../testing';
import { loadXGBoostModel, trainXGBoost, xgboostEngine, XGBoostModel } from './xgboost-model';
import { loadXGBoostWasm } from './xgboost-wasm';
import { gatherLabels, gatherRows, runTrainJob } from './jobs';
import { unpackModel } from './model-bytes';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return e instanceof EngineError ? e.code : 'not an EngineError';
  }
  return undefined;
}

function accuracy(p: Float64Array, y: Uint8Array): number {
  let ok = 0;
  for (let i = 0; i < y.length; i++) if (p[i]! >= 0.5 === (y[i] === 1)) ok++;
  return ok / y.length;
}

describe('xgboost adapter', () => {
  it('trains, stops early and scores on row selections of a shared matrix exactly as on gathered rows', async () => {
    const wasm = await loadXGBoostWasm();
    const { X, y } = syntheticTask(3_000, 8, 31);
    const train = Int32Array.from({ length: 2_000 }, (_, i) => (i * 7) % 3_000);
    const valid = Int32Array.from({ length: 600 }, (_, i) => 2_000 + i);
    const es = { patience: 10, every: 5, maxRows: 300 };
    const params = { rounds: 40, maxDepth: 3 };
    const viaSelect = trainXGBoost(
      wasm,
      X,
      gatherLabels(y, train),
      train.length,
      8,
      params,
      { ...es, X, y: gatherLabels(y, valid), rows: valid.length, select: valid },
      train,
    );
    const vX = gatherRows(X, 8, valid);
    const gathered = trainXGBoost(
      wasm,
      gatherRows(X, 8, train),
      gatherLabels(y, train),
      train.length,
      8,
      params,
      {
        ...es,
        X: vX,
        y: gatherLabels(y, valid),
        rows: valid.length,
      },
    );
    try {
      expect(viaSelect.params.rounds).toBe(gathered.params.rounds);
      expect(Buffer.from(viaSelect.rawBooster()).equals(Buffer.from(gathered.rawBooster()))).toBe(true);
      expect(Array.from(viaSelect.predictProba(X, valid.length, 8, valid))).toEqual(
        Array.from(gathered.predictProba(vX, valid.length, 8)),
      );
      expect(codeOf(() => viaSelect.predictProba(X, 1, 8, Int32Array.of(3_000)))).toBe('INVALID_INPUT');
    } finally {
      viaSelect.free();
      gathered.free();
    }
  });

  it('tells a real -1 apart from a missing value (the engine alone would not)', async () => {
    const engine = await xgboostEngine();
    // Feature 0: -1 → positive, missing → negative, 0/1 → negative; feature 1 is noise.
    const rows = 3000;
    const X = new Float64Array(rows * 2);
    const y = new Uint8Array(rows);
    for (let i = 0; i < rows; i++) {
      const k = i % 4;
      X[i * 2] = k === 0 ? -1 : k === 1 ? Number.NaN : k - 2;
      X[i * 2 + 1] = (i * 7919) % 13;
      y[i] = k === 0 ? 1 : 0;
    }
    const model = engine.train(X, y, rows, 2, { rounds: 20, maxDepth: 3 });
    const p = model.predictProba(Float64Array.of(-1, 5, Number.NaN, 5, 0, 5, 1, 5), 4, 2);
    expect(p[0]).toBeGreaterThan(0.9);
    expect(p[1]).toBeLessThan(0.1);
    expect(p[2]).toBeLessThan(0.1);
    expect(p[3]).toBeLessThan(0.1);
    // The preprocessor's float64 nudge (-1 + 2⁻⁵³) rounds back to -1 in float32: still not missing here.
    const nudged = model.predictProba(Float64Array.of(-1 + 2 ** -53, 5), 1, 2);
    expect(nudged[0]).toBe(p[0]);
    model.free();
  });

  it('trains past the 5 MB point where ml-xgboost train() crashes (60,000 × 30)', async () => {
    const engine = await xgboostEngine();
    const { X, y } = syntheticTask(60_000, 30, 3);
    const model = engine.train(X, y, 60_000, 30, { rounds: 20, maxDepth: 4 });
    const test = syntheticTask(5_000, 30, 4);
    expect(accuracy(model.predictProba(test.X, 5_000, 30), test.y)).toBeGreaterThan(0.8);
    model.free();
  }, 120_000);

  it('round-trips through bytes with identical predictions', async () => {
    const engine = await xgboostEngine();
    const { X, y } = syntheticTask(4_000, 10, 5);
    const model = engine.train(X, y, 4_000, 10, { rounds: 15, maxDepth: 5, subsample: 0.8, seed: 3 });
    const bytes = model.toBytes();
    const { header, payload } = unpackModel(bytes);
    expect(header).toMatchObject({ kind: 'xgboost', cols: 10 });
    const again = await loadXGBoostModel(payload, 10, (model as XGBoostModel).params);
    expect(Array.from(again.predictProba(X, 4_000, 10))).toEqual(
      Array.from(model.predictProba(X, 4_000, 10)),
    );
    model.free();
    again.free();
  });

  it('refuses use after free, bad shapes and one-class labels with coded errors', async () => {
    const engine = await xgboostEngine();
    const { X, y } = syntheticTask(500, 8, 6);
    const model = engine.train(X, y, 500, 8, { rounds: 2 });
    expect(() => model.predictProba(X, 500, 7)).toThrow(EngineError);
    model.free();
    model.free();
    expect(codeOf(() => model.predictProba(X, 500, 8))).toBe('MODEL_FREED');
    expect(codeOf(() => engine.train(X, new Uint8Array(500), 500, 8))).toBe('INVALID_INPUT');
    const inf = X.slice();
    inf[3] = Infinity;
    expect(codeOf(() => engine.train(inf, y, 500, 8))).toBe('INVALID_INPUT');
  });
});

describe('xgboost early stopping on a validation set', () => {
  const cols = 10;
  const train = syntheticTask(2_000, cols, 3);
  const valid = syntheticTask(1_000, cols, 4);
  const es = (patience: number, every = 5) => ({ X: valid.X, y: valid.y, rows: 1_000, patience, every });

  it('keeps the best check: the model is exactly the one `rounds: best` trains', async () => {
    const wasm = await loadXGBoostWasm();
    const params = { rounds: 300, maxDepth: 6, eta: 0.5, seed: 1 };
    const stopped = trainXGBoost(wasm, train.X, train.y, 2_000, cols, params, es(20));
    const best = stopped.params.rounds;
    expect(best).toBeGreaterThan(0);
    expect(best).toBeLessThan(300); // an eta of 0.5 on 2,000 noisy rows overfits well before 300 rounds
    expect(best % 5).toBe(0);
    const direct = trainXGBoost(wasm, train.X, train.y, 2_000, cols, { ...params, rounds: best });
    expect(Array.from(stopped.predictProba(valid.X, 1_000, cols))).toEqual(
      Array.from(direct.predictProba(valid.X, 1_000, cols)),
    );
    expect(stopped.rawBooster()).toEqual(direct.rawBooster());
    stopped.free();
    direct.free();
  });

  it('with patience past the budget it trains every round, as without early stopping', async () => {
    const wasm = await loadXGBoostWasm();
    const params = { rounds: 12, maxDepth: 3, eta: 0.1, seed: 1 };
    const stopped = trainXGBoost(wasm, train.X, train.y, 2_000, cols, params, es(100, 4));
    const plain = trainXGBoost(wasm, train.X, train.y, 2_000, cols, params);
    expect(stopped.params.rounds).toBe(12);
    expect(stopped.rawBooster()).toEqual(plain.rawBooster());
    stopped.free();
    plain.free();
  });

  it('runs in a job with the validation rows selected from a shared matrix', async () => {
    const X = new Float32Array(3_000 * cols);
    X.set(train.X, 0);
    X.set(valid.X, 2_000 * cols);
    const y = new Uint8Array(3_000);
    y.set(train.y, 0);
    y.set(valid.y, 2_000);
    const trainRows = Int32Array.from({ length: 2_000 }, (_, i) => i);
    const validRows = Int32Array.from({ length: 1_000 }, (_, i) => 2_000 + i);
    const r = await runTrainJob({
      engine: 'xgboost',
      X,
      y,
      rows: 2_000,
      cols,
      select: trainRows,
      params: { rounds: 300, maxDepth: 6, eta: 0.5, seed: 1 },
      evaluate: { X, y, rows: 1_000, select: validRows },
      earlyStopping: { patience: 20, every: 5 },
    });
    const direct = trainXGBoost(
      await loadXGBoostWasm(),
      train.X,
      train.y,
      2_000,
      cols,
      {
        rounds: 300,
        maxDepth: 6,
        eta: 0.5,
        seed: 1,
      },
      es(20),
    );
    expect(r.rounds).toBe(direct.params.rounds);
    expect(Array.from(r.proba!)).toEqual(Array.from(direct.predictProba(valid.X, 1_000, cols)));
    direct.free();
    await expect(
      runTrainJob({
        engine: 'xgboost',
        X: train.X,
        y: train.y,
        rows: 2_000,
        cols,
        earlyStopping: { patience: 5 },
      }),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });
});
