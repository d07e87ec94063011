/**
 * The trainer's hyperparameter search as the service runs it: a stratified 80/20 split (seed 42), the
 * preprocessor fitted on train (median imputation, resampling policy `auto`, as transform does by default),
 * then `randomSearch` + `refit` on a WorkerPool with the shipped candidates file, and the refitted model
 * scored on the test split. Prints one JSON line: search and refit seconds, the best trial's CV, test F1,
 * and every trial with the rung it reached.
 *
 * Run: npx vite-node bench/train/search.ts
 * Env: DATASET = phishing (default) | nsl-kdd (KDDTrain+, all rows unless NSL_ROWS);
 *      WORKERS (pool size; default the trainer's default); TRIALS (trials per candidate);
 *      HALVING = off to search without successive halving; ES = off without XGBoost's early stopping;
 *      CANDIDATES (path of a candidates file); MAX_SEARCH_ROWS (the search's row cap, 0 = none; default the
 *      candidates file's); BUDGET (search budget seconds, 0 = none; default the file's);
 *      DATASET = matrix with MATRIX = <dir>/synth-500000 (`synth-matrix.ts`'s train and test files, already
 *      transformed); CV_ALL=1 also cross-validates the chosen configuration on folds of every train row.
 *      The train matrix is put on shared memory once, as the trainer does; `maxRssMiB` is the
 *      process's peak RSS (main thread and workers).
 */
import { loadDatasetSchema } from '@netsentry/dataset';
import { createReadStream, readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { readLabelledFrame } from '../../libs/ml/src/dataset-frame';
import { loadModel } from '../../libs/ml/src/engines/models';
import { toShared, WorkerPool } from '../../libs/ml/src/engines/worker-pool';
import { decodeMatrix, type LabelledMatrix } from '../../libs/ml/src/matrix-file';
import { binaryMetrics } from '../../libs/ml/src/evaluation/metrics';
import { takeRows, type LabelledFrame } from '../../libs/ml/src/frame';
import { mapTarget } from '../../libs/ml/src/preprocessing';
import { readCsvFrame } from '../../libs/ml/src/preprocessing/test/read-csv';
import { assignSplit } from '../../libs/ml/src/split';
import { transformDataset } from '../../libs/ml/src/transform-dataset';
import { DEFAULT_CANDIDATES_PATH, loadCandidatesConfig } from '../../services/trainer/src/candidates';
import { refit } from '../../libs/ml/src/model-selection/refit';
import { crossValidate, cvFolds } from '../../libs/ml/src/model-selection/cross-validation';
import { randomSearch, type CandidateSpec, type EarlyStoppingSpec } from '../../services/trainer/src/search';

const ROOT = resolve(__dirname, '../..');

async function load(dataset: string): Promise<{ schemaPath: string; data: LabelledFrame }> {
  if (dataset === 'phishing') {
    const schemaPath = resolve(ROOT, 'data/schemas/phishing.yaml');
    const schema = await loadDatasetSchema(schemaPath);
    return {
      schemaPath,
      data: await readLabelledFrame(schema, createReadStream(resolve(ROOT, 'data/phishing.csv'))),
    };
  }
  if (dataset === 'nsl-kdd') {
    const schemaPath = resolve(ROOT, 'data/schemas/nsl-kdd.yaml');
    const schema = await loadDatasetSchema(schemaPath);
    const limit = process.env.NSL_ROWS === undefined ? Infinity : Number(process.env.NSL_ROWS);
    const raw = readCsvFrame(resolve(ROOT, 'data/nsl-kdd/KDDTrain+.csv.gz'), schema, limit);
    return { schemaPath, data: { features: raw.frame, labels: mapTarget(schema, raw.labels) } };
  }
  throw new Error(`DATASET must be phishing or nsl-kdd, got ${dataset}`);
}

/** `{ earlyStopping }` of the named candidate as the search used it (absent with ES=off). */
function earlyStoppingOf(
  candidates: readonly CandidateSpec[],
  name: string,
): { earlyStopping: EarlyStoppingSpec } | undefined {
  if (process.env.ES === 'off') return undefined;
  const es = candidates.find((c) => c.name === name)?.earlyStopping;
  return es ? { earlyStopping: es } : undefined;
}

/** The matrix on SharedArrayBuffers, the only copy kept (as the trainer keeps it). */
const shared = (m: LabelledMatrix): LabelledMatrix => ({ ...m, X: toShared(m.X), y: toShared(m.y) });

/** Train and test as the trainer gets them: transform's output (read from `synth-matrix.ts`'s files). */
function loadMatrices(prefix: string): { train: LabelledMatrix; test: LabelledMatrix } {
  return {
    train: shared(decodeMatrix(readFileSync(`${prefix}.train.nsmx`))),
    test: decodeMatrix(readFileSync(`${prefix}.test.nsmx`)),
  };
}

async function prepared(
  dataset: string,
): Promise<{ train: LabelledMatrix; test: LabelledMatrix; resampling: string; transformS: number }> {
  if (dataset === 'matrix') {
    const prefix = process.env.MATRIX;
    if (!prefix) throw new Error('DATASET=matrix needs MATRIX=<dir>/synth-<rows> (synth-matrix.ts output)');
    return { ...loadMatrices(prefix), resampling: 'none (as written)', transformS: 0 };
  }
  const { schemaPath, data } = await load(dataset);
  const schema = await loadDatasetSchema(schemaPath);
  const side = assignSplit({ labels: data.labels, testRatio: 0.2, seed: 42, stratified: true });
  const part = (want: number): LabelledFrame => {
    const idx = [...side.keys()].filter((i) => side[i] === want);
    return { features: takeRows(data.features, idx), labels: Uint8Array.from(idx, (i) => data.labels[i]!) };
  };
  const t0 = performance.now();
  const transformed = transformDataset(schema, part(0), part(1), {
    imputation: 'median',
    knnK: 3,
    resampling: 'auto',
    smoteK: 5,
    seed: 42,
  });
  const transformS = (performance.now() - t0) / 1000;
  return {
    train: shared(transformed.train),
    test: transformed.test,
    resampling: transformed.resampling.method,
    transformS,
  };
}

async function main(): Promise<void> {
  const dataset = process.env.DATASET ?? 'phishing';
  const data = await prepared(dataset);
  const config = loadCandidatesConfig(process.env.CANDIDATES ?? DEFAULT_CANDIDATES_PATH, {
    ...(process.env.TRIALS ? { trialsPerCandidate: Number(process.env.TRIALS) } : {}),
    ...(process.env.HALVING === 'off' ? { halving: false } : {}),
    ...(process.env.MAX_SEARCH_ROWS ? { maxSearchRows: Number(process.env.MAX_SEARCH_ROWS) } : {}),
    ...(process.env.BUDGET ? { searchBudgetSeconds: Number(process.env.BUDGET) } : {}),
  });
  const searchConfig =
    process.env.ES === 'off'
      ? { ...config, candidates: config.candidates.map(({ earlyStopping: _es, ...c }) => c) }
      : config;
  const pool = new WorkerPool(process.env.WORKERS ? { size: Number(process.env.WORKERS) } : {});
  const train = data.train;
  const load0 = loadavg()[0]!;
  try {
    const started = performance.now();
    const cpu0 = process.cpuUsage();
    const result = await randomSearch({
      X: train.X,
      y: train.y,
      rows: train.rows,
      cols: train.cols,
      config: searchConfig,
      run: (job) => pool.run(job),
      concurrency: pool.size,
    });
    const searchS = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const searchCpuS = (cpu.user + cpu.system) / 1e6;
    const r0 = performance.now();
    const fitted = await refit(pool, result.best, train, config.seed);
    const refitS = (performance.now() - r0) / 1000;
    // CV_ALL=1: the chosen configuration cross-validated on folds of every train row (the same folds an
    // uncapped search uses), to compare a capped search's choice with an uncapped one's on equal terms.
    let cvAll: { mean: number; std: number; seconds: number } | undefined;
    if (process.env.CV_ALL === '1') {
      const c0 = performance.now();
      const { folds } = await cvFolds({ ...train, folds: config.folds, seed: config.seed });
      const cv = await crossValidate({
        engine: result.best.engine,
        params: result.best.params,
        seed: config.seed,
        folds,
        cols: train.cols,
        metric: config.metric,
        run: (job) => pool.run(job),
        ...(earlyStoppingOf(config.candidates, result.best.candidate) ?? {}),
      });
      cvAll = { mean: cv.mean, std: cv.std, seconds: (performance.now() - c0) / 1000 };
    }
    const model = await loadModel(fitted.model);
    const test = data.test;
    const testF1 = binaryMetrics(test.y, model.predictProba(test.X, test.rows, test.cols), 0.5).f1;
    model.free();
    console.log(
      JSON.stringify({
        dataset,
        trainRows: train.rows,
        cols: train.cols,
        testRows: test.rows,
        resampling: data.resampling,
        searchRows: result.searchRows,
        ...(result.budget ? { budget: result.budget } : {}),
        workers: pool.size,
        cores: availableParallelism(),
        loadBefore: load0,
        loadAfter: loadavg()[0],
        transformS: Number(data.transformS.toFixed(1)),
        searchS: Number(searchS.toFixed(2)),
        searchCpuS: Number(searchCpuS.toFixed(2)),
        refitS: Number(refitS.toFixed(2)),
        trainerS: Number((searchS + refitS).toFixed(2)),
        best: {
          candidate: result.best.candidate,
          params: result.best.params,
          fitParams: result.best.fitParams,
          cvMean: Number(result.best.mean.toFixed(4)),
          cvStd: Number(result.best.std.toFixed(4)),
        },
        testF1: Number(testF1.toFixed(4)),
        ...(cvAll
          ? {
              cvAllRows: {
                mean: Number(cvAll.mean.toFixed(4)),
                std: Number(cvAll.std.toFixed(4)),
                seconds: Number(cvAll.seconds.toFixed(1)),
              },
            }
          : {}),
        maxRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
        leaderboard: result.leaderboard,
        trials: result.trials.map((t) => ({
          c: t.candidate,
          i: t.trialIndex,
          mean: Number(t.mean.toFixed(4)),
          ms: t.durationMs,
          rung: `${t.rung.index + 1}/${t.rung.of}`,
          trainRows: t.rung.trainRows,
          ...(t.foldRounds ? { rounds: t.foldRounds } : {}),
        })),
      }),
    );
  } finally {
    await pool.close();
  }
}

void main();
