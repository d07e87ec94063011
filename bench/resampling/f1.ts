/**
 * Does SMOTE-Tomek help? F1 of the positive class with and without it, on the bundled datasets at their own
 * class balance and thinned to a smaller minority share, so the `auto` threshold (decision 0051) rests on
 * measurements. One core: every fit runs in this thread, one after another.
 *
 * Per case: a stratified 80/20 split (seed 42) → the preprocessor fitted on train → (a) 3-fold stratified CV
 * on train, each fold's training part rebalanced in-fold or not (as the trainer does), and (b) a fit on all
 * of train (rebalanced or not) scored on the test split. Fixed models: XGBoost (100 rounds, depth 6, eta
 * 0.3, hist) and, below 20,000 rows, the random forest (100 trees).
 *
 * Run: npx vite-node bench/resampling/f1.ts   Env: NSL_ROWS (NSL-KDD train rows read, default 40,000);
 * SHARES (default natural,0.35,0.2,0.1); CASES (default phishing,nsl-kdd); SYNTH=<csv>:<schema>:<rows> adds
 * the first rows of bench/pipeline/gen-csv.ts's set; CV=0 skips the cross-validation (test split only).
 */
import { loadDatasetSchema } from '@netsentry/dataset';
import { createReadStream } from 'node:fs';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { runTrainJob, type TrainJob } from '../../libs/ml/src/engines/jobs';
import { binaryMetrics } from '../../libs/ml/src/evaluation/metrics';
import { readLabelledFrame } from '../../libs/ml/src/dataset-frame';
import { takeRows, type Frame } from '../../libs/ml/src/frame';
import {
  applyPreprocessor,
  asTrainSplit,
  classCounts,
  fitPreprocessor,
  mapTarget,
  smoteTomek,
} from '../../libs/ml/src/preprocessing';
import { readCsvFrame } from '../../libs/ml/src/preprocessing/test/read-csv';
import { seededRandom } from '../../libs/ml/src/random';
import { assignSplit } from '../../libs/ml/src/split';
import { buildFolds, stratifiedKFold } from '../../libs/ml/src/model-selection/folds';

const ROOT = resolve(__dirname, '../..');
type Schema = Awaited<ReturnType<typeof loadDatasetSchema>>;
interface Data {
  readonly features: Frame;
  readonly labels: Uint8Array;
}

/** Drops minority rows at random (seeded) until the minority's share is `share`. */
function thin(data: Data, share: number, seed: number): Data {
  const c = classCounts(data.labels);
  const minority = c.positive < c.negative ? 1 : 0;
  const nMin = Math.min(c.positive, c.negative);
  const nMaj = data.labels.length - nMin;
  const keepMin = Math.round((share * nMaj) / (1 - share));
  if (keepMin >= nMin) return data;
  const rows = Array.from({ length: data.labels.length }, (_, i) => i);
  const mins = seededRandom(seed).shuffle(rows.filter((i) => data.labels[i] === minority));
  const drop = new Set(mins.slice(keepMin));
  const keep = rows.filter((i) => !drop.has(i));
  return { features: takeRows(data.features, keep), labels: Uint8Array.from(keep, (i) => data.labels[i]!) };
}

const f1 = (y: Uint8Array, proba: Float64Array): number => binaryMetrics(y, proba, 0.5).f1;
const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const load = (): number => Math.round(loadavg()[0]! * 10) / 10;

const MODELS: { name: string; job: (rows: number) => Pick<TrainJob, 'engine' | 'params'> | null }[] = [
  {
    name: 'xgboost',
    job: () => ({
      engine: 'xgboost',
      params: { rounds: 100, maxDepth: 6, eta: 0.3, treeMethod: 'hist', seed: 42 },
    }),
  },
  {
    name: 'random-forest',
    job: (rows) => (rows < 20_000 ? { engine: 'random-forest', params: { trees: 100, seed: 42 } } : null),
  },
];

async function fitScore(
  model: Pick<TrainJob, 'engine' | 'params'>,
  train: { X: Float64Array; y: Uint8Array; rows: number },
  valid: { X: Float64Array; y: Uint8Array; rows: number },
  cols: number,
): Promise<number> {
  const r = await runTrainJob({
    ...model,
    X: train.X,
    y: train.y,
    rows: train.rows,
    cols,
    evaluate: { X: valid.X, rows: valid.rows },
  });
  return f1(valid.y, r.proba!);
}

async function runCase(name: string, schema: Schema, data: Data): Promise<void> {
  const side = assignSplit({ labels: data.labels, testRatio: 0.2, seed: 42, stratified: true });
  const part = (want: number): Data => {
    const idx = [...side.keys()].filter((i) => side[i] === want);
    return { features: takeRows(data.features, idx), labels: Uint8Array.from(idx, (i) => data.labels[i]!) };
  };
  const train = part(0);
  const test = part(1);
  const pre = fitPreprocessor(asTrainSplit(train), schema, { imputation: 'median', k: 3, seed: 42 });
  const tr = applyPreprocessor(pre, train.features);
  const te = applyPreprocessor(pre, test.features);
  const cols = tr.cols;
  const c = classCounts(train.labels);
  const share = Math.min(c.positive, c.negative) / train.labels.length;
  const withCv = process.env.CV !== '0';
  const folds = withCv
    ? buildFolds(tr.X, train.labels, tr.rows, cols, stratifiedKFold(train.labels, 3, 42), 3)
    : [];
  const st = (X: Float64Array, y: Uint8Array) => smoteTomek(X, y, { cols, k: 5, seed: 42 });
  let resampleS = 0;
  const t0 = performance.now();
  const rebalanced = folds.map((f) => st(f.trainX, f.trainY));
  const full = st(tr.X, train.labels);
  resampleS = (performance.now() - t0) / 1000;
  for (const m of MODELS) {
    const job = m.job(tr.rows);
    if (!job) continue;
    const cv = { none: [] as number[], smote: [] as number[] };
    for (const [i, f] of folds.entries()) {
      const valid = { X: f.validX, y: f.validY, rows: f.validRows };
      cv.none.push(await fitScore(job, { X: f.trainX, y: f.trainY, rows: f.trainRows }, valid, cols));
      cv.smote.push(await fitScore(job, rebalanced[i]!, valid, cols));
    }
    const testData = { X: te.X, y: test.labels, rows: te.rows };
    const testNone = await fitScore(job, { X: tr.X, y: train.labels, rows: tr.rows }, testData, cols);
    const testSmote = await fitScore(job, full, testData, cols);
    const cvCell = (xs: number[]): string => (withCv ? mean(xs).toFixed(4) : '–');
    const dCv = withCv ? (mean(cv.smote) - mean(cv.none)).toFixed(4) : '–';
    console.log(
      `| ${name} | ${tr.rows.toLocaleString('en-US')} | ${share.toFixed(3)} | ${Math.min(c.positive, c.negative).toLocaleString('en-US')} | ${m.name} | ${cvCell(cv.none)} | ${cvCell(cv.smote)} | ${dCv} | ${testNone.toFixed(4)} | ${testSmote.toFixed(4)} | ${(testSmote - testNone).toFixed(4)} | ${resampleS.toFixed(1)} | ${load()} |`,
    );
  }
}

async function main(): Promise<void> {
  console.log(
    '| case | train rows | minority share | minority rows | model | CV F1 none | CV F1 SMOTE-Tomek | Δ CV | test F1 none | test F1 SMOTE-Tomek | Δ test | resampling s | load |',
  );
  console.log('|---|--:|--:|--:|---|--:|--:|--:|--:|--:|--:|--:|--:|');
  const cases = (process.env.CASES ?? 'phishing,nsl-kdd').split(',');
  const phSchema = await loadDatasetSchema(resolve(ROOT, 'data/schemas/phishing.yaml'));
  const ph = await readLabelledFrame(phSchema, createReadStream(resolve(ROOT, 'data/phishing.csv')));
  const nslSchema = await loadDatasetSchema(resolve(ROOT, 'data/schemas/nsl-kdd.yaml'));
  const nslRows = Number(process.env.NSL_ROWS ?? 40_000);
  const raw = readCsvFrame(resolve(ROOT, 'data/nsl-kdd/KDDTrain+.csv.gz'), nslSchema, nslRows);
  const nsl = { features: raw.frame, labels: mapTarget(nslSchema, raw.labels) };
  const shares = (process.env.SHARES ?? 'natural,0.35,0.2,0.1').split(',');
  const all: [string, Schema, Data][] = [
    ['phishing', phSchema, ph],
    ['nsl-kdd', nslSchema, nsl],
  ];
  // SYNTH=<csv>:<schema>:<rows>: the first rows of the whole-pipeline bench's synthetic set (gen-csv.ts).
  if (process.env.SYNTH) {
    const [csv, schemaPath, rows] = process.env.SYNTH.split(':');
    const schema = await loadDatasetSchema(schemaPath!);
    const r = readCsvFrame(csv!, schema, Number(rows));
    all.push([`synth-${rows}`, schema, { features: r.frame, labels: mapTarget(schema, r.labels) }]);
    cases.push(`synth-${rows}`);
  }
  for (const [name, schema, data] of all.filter(([n]) => cases.includes(n))) {
    for (const s of shares) {
      const d = s === 'natural' ? data : thin(data, Number(s), 7);
      await runCase(s === 'natural' ? name : `${name} thinned to ${s}`, schema, d);
    }
  }
}

void main();
