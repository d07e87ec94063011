/**
 * One random-forest CV fit as the search runs it, timed by part, on the synthetic matrix written by
 * `synth-matrix.ts`: a fold's training rows (the first ROWS of the train matrix, as a row selection of the
 * shared matrix) trained in this thread through `runTrainJob`, its validation part (the next ROWS / 2) scored
 * in the job. Prints one JSON line: train ms, job ms (gather + train + score), F1 on the validation part, node
 * count, peak RSS. Run it under `node --cpu-prof` to see where a fit spends its time.
 *
 * Run: npx vite-node bench/train/forest-profile.ts <dir>/synth-500000.train.nsmx
 * Env: ROWS (default 100000), TREES (100), FF (feature fraction, 0.3), DEPTH (0), LEAF (1).
 */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { runTrainJob } from '../../libs/ml/src/engines/jobs';
import { binaryMetrics } from '../../libs/ml/src/evaluation/metrics';
import { decodeMatrix } from '../../libs/ml/src/matrix-file';

async function main(): Promise<void> {
  const path = process.argv[2];
  if (!path) throw new Error('usage: forest-profile.ts <train.nsmx>');
  const m = decodeMatrix(readFileSync(path));
  const rows = Number(process.env.ROWS ?? 100_000);
  const valid = Math.floor(rows / 2);
  if (rows + valid > m.rows) throw new Error(`ROWS ${rows}: the matrix has ${m.rows} rows`);
  const trainSel = Int32Array.from({ length: rows }, (_, i) => i);
  const validSel = Int32Array.from({ length: valid }, (_, i) => rows + i);
  const ff = Number(process.env.FF ?? 0.3);
  const params = {
    trees: Number(process.env.TREES ?? 100),
    maxDepth: Number(process.env.DEPTH ?? 0),
    minSamplesLeaf: Number(process.env.LEAF ?? 1),
    maxFeatures: Math.max(1, Math.round(ff * m.cols)),
    seed: 42,
  };
  const load = loadavg()[0]!;
  const t0 = performance.now();
  const r = await runTrainJob({
    engine: 'random-forest',
    X: m.X,
    y: m.y,
    rows,
    cols: m.cols,
    select: trainSel,
    params,
    evaluate: { X: m.X, rows: valid, select: validSel, y: m.y },
  });
  const jobMs = performance.now() - t0;
  const vy = Uint8Array.from(validSel, (i) => m.y[i]!);
  console.log(
    JSON.stringify({
      rows,
      valid,
      cols: m.cols,
      params,
      trainMs: Math.round(r.trainMs),
      jobMs: Math.round(jobMs),
      f1: Number(binaryMetrics(vy, r.proba!, 0.5).f1.toFixed(5)),
      modelBytes: r.model.length,
      maxRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
      loadBefore: load,
      loadAfter: loadavg()[0],
    }),
  );
}

void main();
