/**
 * Capacity proof: our adapter trains XGBoost on 1,000,000 × 30 (120 MB of float32, 24× past the 5 MB point
 * where ml-xgboost's own train() crashes). Prints one JSON line. Usage: vite-node bench/train/xgb-1m.ts [rounds]
 */
import { loadXGBoostWasm, xgboostEngine } from '../../libs/ml/src/engines';
import { accuracy, f1Score, syntheticTask } from '../../libs/ml/src/testing';

async function main(): Promise<void> {
  const rounds = Number(process.argv[2] ?? 100);
  const rows = 1_000_000;
  const { X, y } = syntheticTask(rows, 30, 1);
  const test = syntheticTask(20_000, 30, 2);
  const engine = await xgboostEngine();
  const t0 = performance.now();
  const model = engine.train(X, y, rows, 30, { rounds, maxDepth: 6 });
  const trainS = (performance.now() - t0) / 1000;
  const p = model.predictProba(test.X, 20_000, 30);
  const heapMB = (await loadXGBoostWasm()).HEAPU8.length / 2 ** 20;
  const bytes = model.toBytes().length;
  model.free();
  console.log(
    JSON.stringify({
      side: 'node',
      case: 'synth1M',
      engine: 'xgb',
      rows,
      rounds,
      trainS,
      heapMB,
      modelBytes: bytes,
      f1: f1Score(test.y, p),
      accuracy: accuracy(test.y, p),
    }),
  );
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
