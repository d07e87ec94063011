/**
 * The TypeScript side of the training benchmark: times our engines on one case and prints one JSON line per
 * (engine, repetition). Usage: vite-node bench/train/node-bench.ts <dir> <case> <reps> [engines]
 *   case: phishing | synth100k | synth500k; engines (comma list): xgb,rf,rf-pool,xgb-rf
 */
import {
  setWasmLogSink,
  trainRandomForest,
  trainForestInPool,
  WorkerPool,
  xgboostEngine,
  xgboostForestParams,
  type FeatureMatrix,
  type TrainedModel,
} from '../../libs/ml/src/engines';
import { takeLabels, takeMatrixRows } from '../../libs/ml/src/split';
import { accuracy, f1Score } from '../../libs/ml/src/testing';
import { loadIndices, loadPhishing, loadSynthetic, SYNTH_COLS, SYNTH_TEST_ROWS } from './common';

interface Case {
  Xtr: FeatureMatrix;
  ytr: Uint8Array;
  Xte: FeatureMatrix;
  yte: Uint8Array;
  cols: number;
}

function loadCase(dir: string, name: string): Case {
  if (name === 'phishing') {
    const d = loadPhishing();
    const tr = loadIndices(dir, 'phishing-train.u32');
    const te = loadIndices(dir, 'phishing-test.u32');
    return {
      Xtr: takeMatrixRows(d.X, d.cols, tr),
      ytr: takeLabels(d.y, tr),
      Xte: takeMatrixRows(d.X, d.cols, te),
      yte: takeLabels(d.y, te),
      cols: d.cols,
    };
  }
  const rows = { synth100k: 100_000, synth500k: 500_000 }[name];
  if (!rows) throw new Error(`unknown case ${name}`);
  const tr = loadSynthetic(dir, 'train', rows);
  const te = loadSynthetic(dir, 'test', SYNTH_TEST_ROWS);
  return { Xtr: tr.X, ytr: tr.y, Xte: te.X, yte: te.y, cols: SYNTH_COLS };
}

async function main(): Promise<void> {
  const [dir, caseName, repsArg, enginesArg] = process.argv.slice(2);
  if (!dir || !caseName) throw new Error('usage: node-bench.ts <dir> <case> <reps> [engines]');
  const reps = Number(repsArg ?? 3);
  const engines = (enginesArg ?? 'xgb,rf,rf-pool,xgb-rf').split(',');
  setWasmLogSink(undefined);
  const c = loadCase(dir, caseName);
  const rows = c.ytr.length;
  const xgb = await xgboostEngine();
  const pool = new WorkerPool({ size: 2 });
  try {
    for (const engine of engines) {
      for (let rep = 0; rep < reps; rep++) {
        const t0 = performance.now();
        let model: TrainedModel;
        if (engine === 'xgb')
          model = xgb.train(c.Xtr, c.ytr, rows, c.cols, { rounds: 100, maxDepth: 6, eta: 0.3 });
        else if (engine === 'xgb-rf')
          model = xgb.train(c.Xtr, c.ytr, rows, c.cols, xgboostForestParams(c.cols));
        else if (engine === 'rf')
          model = trainRandomForest(c.Xtr, c.ytr, rows, c.cols, { trees: 100, seed: 42 });
        else if (engine === 'rf-pool') {
          model = await trainForestInPool(pool, c.Xtr, c.ytr, rows, c.cols, { trees: 100, seed: 42 });
        } else throw new Error(`unknown engine ${engine}`);
        const trainS = (performance.now() - t0) / 1000;
        const t1 = performance.now();
        const p = model.predictProba(c.Xte, c.yte.length, c.cols);
        const predictUsPerRow = ((performance.now() - t1) * 1000) / c.yte.length;
        model.free();
        const line = {
          side: 'node',
          case: caseName,
          engine,
          rep,
          rows,
          trainS,
          predictUsPerRow,
          f1: f1Score(c.yte, p),
          accuracy: accuracy(c.yte, p),
        };
        console.log(JSON.stringify(line));
      }
    }
  } finally {
    await pool.close();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
