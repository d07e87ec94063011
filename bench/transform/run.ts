/**
 * Transform-stage benchmark (TypeScript side): NSL-KDD train → fit preprocessor (KNN k=3 imputation,
 * robust scaling, one-hot with unknown bucket) → apply → SMOTE-Tomek (k=5, seed 42). Prints one JSON line.
 * Run: npx vite-node bench/transform/run.ts [rows]   (or through bench/transform/run.sh for the comparison)
 * Env: NEIGHBOURS = auto (default) | kd-tree | brute-force; WORKERS = worker threads for the neighbour
 * search (default 2; 0 = in this thread, as the trainer's in-fold resampling runs inside one worker).
 */
import { resolve } from 'node:path';
import { loadDatasetSchema } from '@netsentry/dataset';
import { poolNeighbourSearch, WorkerPool } from '../../libs/ml/src/engines/worker-pool';
import {
  applyPreprocessor,
  asTrainSplit,
  fitPreprocessor,
  mapTarget,
  resolveNeighbourMethod,
  serializePreprocessor,
  smoteTomek,
  smoteTomekWith,
  type NeighbourMethod,
} from '../../libs/ml/src/preprocessing';
import { readCsvFrame } from '../../libs/ml/src/preprocessing/test/read-csv';

const ROOT = resolve(__dirname, '../..');

function seconds(since: bigint): number {
  return Number(process.hrtime.bigint() - since) / 1e9;
}

async function main(): Promise<void> {
  const maxRows = process.argv[2] ? Number(process.argv[2]) : Infinity;
  const method = (process.env.NEIGHBOURS ?? 'auto') as NeighbourMethod;
  const workers = Number(process.env.WORKERS ?? 2);
  // Started (and its threads spawned) before the clock, as in the transform service.
  const pool = workers > 0 ? new WorkerPool({ size: workers }) : undefined;
  const schema = await loadDatasetSchema(resolve(ROOT, 'data/schemas/nsl-kdd.yaml'));
  let t = process.hrtime.bigint();
  const { frame, labels: raw } = readCsvFrame(
    resolve(ROOT, 'data/nsl-kdd/KDDTrain+.csv.gz'),
    schema,
    maxRows,
  );
  const labels = mapTarget(schema, raw);
  const load = seconds(t);

  const total = process.hrtime.bigint();
  t = process.hrtime.bigint();
  const fitted = fitPreprocessor(asTrainSplit({ features: frame, labels }), schema, {
    imputation: 'knn',
    k: 3,
    seed: 42,
  });
  const fit = seconds(t);
  t = process.hrtime.bigint();
  const X = applyPreprocessor(fitted, frame);
  const apply = seconds(t);
  t = process.hrtime.bigint();
  const options = { cols: X.cols, k: 5, seed: 42 };
  const out = pool
    ? await smoteTomekWith(X.X, labels, options, poolNeighbourSearch(pool, { method }))
    : smoteTomek(X.X, labels, { ...options, neighbours: method });
  const resample = seconds(t);
  await pool?.close();
  const resolved = resolveNeighbourMethod(method, X.cols);
  const transform = seconds(total);

  console.log(
    JSON.stringify({
      impl: `netsentry (TypeScript, ${resolved}, ${workers > 0 ? `${workers} worker${workers > 1 ? 's' : ''}` : 'main thread'})`,
      load_s: load,
      fit_s: fit,
      apply_s: apply,
      smote_tomek_s: resample,
      total_s: transform,
      rows_in: frame.rows,
      cols: X.cols,
      rows_out: out.rows,
      synthetic: out.report.synthetic,
      tomek_removed: out.report.tomekRemoved,
      before: out.report.before,
      after: out.report.after,
      artifact_bytes: serializePreprocessor(fitted).length,
    }),
  );
}

void main();
