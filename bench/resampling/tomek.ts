/**
 * Tomek links (and the whole SMOTE-Tomek) on a transformed train matrix, timed: the whole-pipeline bench's
 * synthetic set (`bench/pipeline/gen-csv.ts`), split 80/20 as ingestion does (stratified, seed 42), or all
 * of NSL-KDD train (as `run.sh`), preprocessed as transform does (median imputation: the files have no missing values, so it
 * is the same matrix as `knn`), then SMOTE (k=5, seed 42) and Tomek links on a worker pool — transform's
 * path (`smoteWith` + `removeTomekLinksWith`, `poolResamplingSearch`).
 *
 *   npx vite-node bench/resampling/tomek.ts synth <csv> <schema>    (or: nsl)
 *
 * Env: WORKERS (default 2); CACHE=<file>: keep SMOTE's output there and reuse it on the next run (only
 * Tomek is then re-timed); OLD_QUERIES=<n>: also time decision 0085's search (1-NN of every row) on n
 * rows of a range of the original and of the synthetic rows, for its rate (the full old search took 1,466 s at
 * 500k); COMPARE=1: also run decision 0085's whole search on the pool and check that it keeps the same rows.
 * One JSON line with the figures and the load average before and after each part.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { loadDatasetSchema } from '@netsentry/dataset';
import { poolNeighbourSearch, poolResamplingSearch, WorkerPool } from '../../libs/ml/src/engines/worker-pool';
import {
  applyPreprocessor,
  asTrainSplit,
  classCounts,
  fitPreprocessor,
  hintsFromSmote,
  kNearestNeighbours,
  mapTarget,
  removeTomekLinksWith,
  smoteWith,
} from '../../libs/ml/src/preprocessing';
import { readCsvFrame } from '../../libs/ml/src/preprocessing/test/read-csv';
import { takeRows } from '../../libs/ml/src/frame';
import { assignSplit } from '../../libs/ml/src/split';

const ROOT = resolve(__dirname, '../..');
const now = (): number => performance.now() / 1000;
const load = (): number => Math.round(loadavg()[0]! * 100) / 100;

interface Smoted {
  readonly X: Float64Array;
  readonly y: Uint8Array;
  readonly cols: number;
  readonly trainRows: number;
  readonly minority: 0 | 1;
  readonly synthetic: { base: Int32Array; neighbour: Int32Array; step: Float64Array };
  readonly smoteS: number | null;
}

async function smoted(kind: string, csv: string, schemaPath: string, pool: WorkerPool): Promise<Smoted> {
  const cache = process.env.CACHE;
  if (cache && existsSync(cache)) {
    const buf = readFileSync(cache);
    const head = new Int32Array(buf.buffer, buf.byteOffset, 3);
    const [rows, cols, trainRows] = [head[0]!, head[1]!, head[2]!];
    const X = new Float64Array(rows * cols);
    new Uint8Array(X.buffer).set(buf.subarray(16, 16 + rows * cols * 8));
    const y = Uint8Array.from(buf.subarray(16 + rows * cols * 8));
    const syn = readFileSync(`${cache}.syn`);
    const n = syn.length / 16;
    const base = new Int32Array(n);
    const neighbour = new Int32Array(n);
    const step = new Float64Array(n);
    new Uint8Array(base.buffer).set(syn.subarray(0, n * 4));
    new Uint8Array(neighbour.buffer).set(syn.subarray(n * 4, n * 8));
    new Uint8Array(step.buffer).set(syn.subarray(n * 8));
    const minority = y[rows - 1] === 1 ? 1 : 0;
    return { X, y, cols, trainRows, minority, synthetic: { base, neighbour, step }, smoteS: null };
  }
  const schema = await loadDatasetSchema(schemaPath);
  const { frame, labels: raw } = readCsvFrame(csv, schema);
  const labels = mapTarget(schema, raw);
  // NSL-KDD: all of KDDTrain+ (as bench/resampling/run.sh); the synthetic set: its train split.
  const side = assignSplit({ labels, testRatio: 0.2, seed: 42, stratified: true });
  const idx = [...side.keys()].filter((i) => kind === 'nsl' || side[i] === 0);
  const features = takeRows(frame, idx);
  const trainY = Uint8Array.from(idx, (i) => labels[i]!);
  const fitted = fitPreprocessor(asTrainSplit({ features, labels: trainY }), schema, {
    imputation: 'median',
    k: 3,
    seed: 42,
  });
  const m = applyPreprocessor(fitted, features);
  const l0 = load();
  const t = now();
  const over = await smoteWith(m.X, trainY, { cols: m.cols, k: 5, seed: 42 }, poolNeighbourSearch(pool));
  const smoteS = now() - t;
  console.error(JSON.stringify({ kind, smote_s: smoteS, rows: over.rows, load: [l0, load()] }));
  if (cache) {
    const head = Buffer.alloc(16);
    head.writeInt32LE(over.rows, 0);
    head.writeInt32LE(over.cols, 4);
    head.writeInt32LE(m.rows, 8);
    writeFileSync(cache, Buffer.concat([head, Buffer.from(over.X.buffer), Buffer.from(over.y)]));
    const { base, neighbour, step } = over.synthetic;
    writeFileSync(
      `${cache}.syn`,
      Buffer.concat([Buffer.from(base.buffer), Buffer.from(neighbour.buffer), Buffer.from(step.buffer)]),
    );
  }
  if (over.minority === null) throw new Error('the train split is balanced: nothing to oversample');
  const { X, y, cols, minority, synthetic } = over;
  return { X, y, cols, trainRows: m.rows, minority, synthetic, smoteS };
}

async function main(): Promise<void> {
  const [kind, csvArg, schemaArg] = process.argv.slice(2);
  const csv = kind === 'nsl' ? resolve(ROOT, 'data/nsl-kdd/KDDTrain+.csv.gz') : csvArg;
  const schema = kind === 'nsl' ? resolve(ROOT, 'data/schemas/nsl-kdd.yaml') : schemaArg;
  if (!csv || !schema) throw new Error('usage: tomek.ts synth <csv> <schema> | nsl');
  const workers = Number(process.env.WORKERS ?? 2);
  const pool = new WorkerPool({ size: workers });
  // Warm the workers (their first job loads the TypeScript sources), as a long-running service's pool is.
  const warm = Float64Array.from({ length: 8_000 * 20 }, (_, i) => (i * 7919) % 101);
  await poolNeighbourSearch(pool)(warm, 20, 5);
  const s = await smoted(kind!, csv, schema, pool);
  const rows = s.y.length;
  const out: Record<string, unknown> = {
    case: kind,
    train_rows: s.trainRows,
    rows_after_smote: rows,
    cols: s.cols,
    counts_after_smote: classCounts(s.y),
    smote_s: s.smoteS,
    workers,
  };
  const oldQueries = Number(process.env.OLD_QUERIES ?? 0);
  if (oldQueries > 0) {
    // Decision 0085's search (the 1-NN of every row, projected tree with its brute-force fallback), in this
    // thread, on a contiguous range of the original rows and one of the synthetic ones: its cost per query.
    const l0 = load();
    const t = now();
    const ranges = [Math.floor(s.trainRows / 2), Math.floor((s.trainRows + rows) / 2)];
    for (const at of ranges)
      kNearestNeighbours(s.X, s.cols, 1, { queryStart: at, queryEnd: at + oldQueries });
    const secs = now() - t;
    const queries = ranges.length * oldQueries;
    out.old = {
      queries,
      s: secs,
      per_query_ms: (secs / queries) * 1000,
      projected_all_rows_one_thread_s: (secs / queries) * rows,
      load: [l0, load()],
    };
  }
  const l0 = load();
  const t = now();
  let last = 0;
  const search = poolResamplingSearch(pool, {
    onProgress: (done, total) => {
      if (now() - last > 10) {
        last = now();
        console.error(`tomek ${done}/${total} at ${(now() - t).toFixed(1)} s`);
      }
    },
  });
  // What smoteTomekWith passes: query the grown class, SMOTE's source rows as hints.
  const hints = { queryClass: s.minority, hints: hintsFromSmote(rows, s.synthetic) };
  const cleaned = await removeTomekLinksWith(s.X, s.y, s.cols, { kind: 'all' }, search, hints);
  out.tomek = {
    s: now() - t,
    removed: cleaned.removed,
    rows_out: cleaned.rows,
    after: classCounts(cleaned.y),
    load: [l0, load()],
  };
  if (process.env.COMPARE) {
    // Decision 0085's way on the pool (the 1-NN of every row): the same rows kept, and its time.
    const c0 = load();
    const tc = now();
    const before = await removeTomekLinksWith(s.X, s.y, s.cols, { kind: 'all' }, poolNeighbourSearch(pool));
    out.before_0085 = {
      s: now() - tc,
      removed: before.removed,
      same_rows_kept:
        before.kept.length === cleaned.kept.length && before.kept.every((v, i) => v === cleaned.kept[i]),
      load: [c0, load()],
    };
  }
  if (s.smoteS !== null) out.smote_tomek_s = s.smoteS + (out.tomek as { s: number }).s;
  console.log(JSON.stringify(out));
  await pool.close();
}

void main();
