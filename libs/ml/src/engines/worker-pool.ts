import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

import type { Frame } from '../frame';
import { workerScript } from '../worker-script';
import { EngineError, type FeatureMatrix } from './engine';
import type { PointMatrix } from '../preprocessing/brute-knn';
import type { Neighbours } from '../preprocessing/kd-tree';
import {
  resolveNeighbourMethod,
  type NeighbourMethod,
  type NeighbourSearch,
} from '../preprocessing/neighbours';
import type { ResamplingSearch, TomekSearch } from '../preprocessing/tomek-links';
import {
  candidatePairs,
  linksFromNeighbours,
  linksFromPairs,
  type TomekConfirmJob,
  type TomekConfirmJobResult,
  type TomekIndexJob,
  type TomekIndexJobResult,
  type TomekJob,
  type TomekJobResult,
  type TomekSearchJob,
  type TomekSearchJobResult,
} from '../preprocessing/tomek-search';
import {
  fromWireError,
  transferableBuffers,
  type ApplyPreprocessorJob,
  type ApplyPreprocessorJobResult,
  type FitPreprocessorJob,
  type FitPreprocessorJobResult,
  type NeighbourJob,
  type NeighbourJobResult,
  type PoolJob,
  type PoolJobResult,
  type ResampleJob,
  type ResampleJobResult,
  type ScoreJob,
  type ScoreJobResult,
  type TrainJob,
  type TrainJobResult,
  type WireError,
} from './jobs';
import { unpackModel } from './model-bytes';
import {
  decodeForest,
  mergeForests,
  RANDOM_FOREST_DEFAULTS,
  RandomForestModel,
  type RandomForestParams,
} from './random-forest';

export interface WorkerPoolOptions {
  /** Worker threads; default: the machine's available parallelism (2 here). */
  readonly size?: number;
}

export interface RunOptions {
  /**
   * Move the job's typed arrays to the worker instead of copying them (they become detached, length 0, in
   * this thread). Use for data built just for the job, e.g. a CV fold. Arrays on a SharedArrayBuffer are
   * never copied either way.
   */
  readonly transfer?: boolean;
}

interface Pending {
  readonly resolve: (r: PoolJobResult) => void;
  readonly reject: (e: Error) => void;
}

interface Slot {
  readonly worker: Worker;
  job: { id: number; pending: Pending } | undefined;
}

/**
 * A fixed set of worker threads running training and resampling jobs, so the event loop that serves health
 * checks and metrics never blocks on CPU-bound work, and independent jobs (candidates, folds) use every
 * core. Each worker loads its own WASM engine: its heap grows to the largest job and is returned on close().
 */
export class WorkerPool {
  readonly size: number;
  private readonly slots: Slot[] = [];
  private readonly queue: { id: number; job: PoolJob; transfer: ArrayBuffer[]; pending: Pending }[] = [];
  private nextId = 1;
  private closed = false;

  constructor(options: WorkerPoolOptions = {}) {
    this.size = Math.max(1, options.size ?? availableParallelism());
  }

  /** Trains one model in a worker (and scores `job.evaluate` with it when given). */
  run(job: TrainJob, options: RunOptions = {}): Promise<TrainJobResult> {
    const inputs = options.transfer ? [job.X, job.y, job.evaluate?.X] : [];
    return this.submit<TrainJobResult>({ type: 'train', job }, inputs);
  }

  /**
   * Rebalances one training matrix in a worker (`runResampleJob`: SMOTE-Tomek), the same rows as
   * `smoteTomek` gives in this thread. The result's arrays are transferred back, not copied.
   */
  resample(job: ResampleJob, options: RunOptions = {}): Promise<ResampleJobResult> {
    const inputs = options.transfer ? [job.X, job.y] : [];
    return this.submit<ResampleJobResult>({ type: 'resample', job }, inputs);
  }

  /** One share of an exact k-NN search in a worker (`runNeighbourJob`); see `poolNeighbourSearch`. */
  neighbours(job: NeighbourJob): Promise<NeighbourJobResult> {
    return this.submit<NeighbourJobResult>({ type: 'neighbours', job }, []);
  }

  /** One step of the class-index Tomek-link search in a worker (`runTomekJob`); see `poolTomekSearch`. */
  tomek(job: TomekIndexJob): Promise<TomekIndexJobResult>;
  tomek(job: TomekSearchJob): Promise<TomekSearchJobResult>;
  tomek(job: TomekConfirmJob): Promise<TomekConfirmJobResult>;
  tomek(job: TomekJob): Promise<TomekJobResult> {
    return this.submit<TomekJobResult>({ type: 'tomek', job }, []);
  }

  /** Fits a preprocessor on a training split in a worker (the frame is copied there). */
  fitPreprocessor(job: FitPreprocessorJob): Promise<FitPreprocessorJobResult> {
    return this.submit<FitPreprocessorJobResult>({ type: 'fit-preprocessor', job }, []);
  }

  /**
   * Applies a fitted preprocessor to some rows in a worker; with `transfer`, the frame's numeric columns
   * move there instead of being copied (build the frame for the job, e.g. with `sliceRows`).
   */
  applyPreprocessor(
    job: ApplyPreprocessorJob,
    options: RunOptions = {},
  ): Promise<ApplyPreprocessorJobResult> {
    return this.submit<ApplyPreprocessorJobResult>(
      { type: 'apply-preprocessor', job },
      options.transfer ? numericColumns(job.frame) : [],
    );
  }

  /** Scores raw records with a model in a worker (`runScoreJob`); see `scoreFrameOnPool`. */
  score(job: ScoreJob, options: RunOptions = {}): Promise<ScoreJobResult> {
    return this.submit<ScoreJobResult>(
      { type: 'score', job },
      options.transfer && job.frame ? numericColumns(job.frame) : [],
    );
  }

  /** Queues a job; `R` is the result type of the job's kind (the worker answers with that kind's result). */
  private submit<R extends PoolJobResult>(
    job: PoolJob,
    transferable: readonly (ArrayBufferView | undefined)[],
  ): Promise<R> {
    if (this.closed) return Promise.reject(new EngineError('POOL_CLOSED', 'worker pool is closed'));
    return new Promise<R>((resolve, reject) => {
      const transfer = transferableBuffers(transferable);
      const pending = { resolve: resolve as (r: PoolJobResult) => void, reject };
      this.queue.push({ id: this.nextId++, job, transfer, pending });
      this.dispatch();
    });
  }

  /** Terminates every worker; jobs still queued or running are rejected with POOL_CLOSED. */
  async close(): Promise<void> {
    this.closed = true;
    const err = new EngineError('POOL_CLOSED', 'worker pool closed');
    for (const q of this.queue.splice(0)) q.pending.reject(err);
    const slots = this.slots.splice(0);
    for (const s of slots) s.job?.pending.reject(err);
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      let slot = this.slots.find((s) => s.job === undefined);
      if (!slot && this.slots.length < this.size) slot = this.spawn();
      if (!slot) return;
      const next = this.queue.shift()!;
      slot.job = { id: next.id, pending: next.pending };
      slot.worker.postMessage({ id: next.id, job: next.job }, next.transfer);
    }
  }

  private spawn(): Slot {
    // From dist: worker-entry.js; under vitest: its TypeScript sources (see workerScript).
    const script = workerScript(__dirname, 'worker-entry');
    const worker = new Worker(script.filename, script.options);
    const slot: Slot = { worker, job: undefined };
    worker.on(
      'message',
      (
        msg: { id: number; ok: true; result: PoolJobResult } | { id: number; ok: false; error: WireError },
      ) => {
        const job = slot.job;
        if (!job || job.id !== msg.id) return;
        slot.job = undefined;
        if (msg.ok) job.pending.resolve(msg.result);
        else job.pending.reject(fromWireError(msg.error));
        this.dispatch();
      },
    );
    const fail = (why: string): void => {
      const i = this.slots.indexOf(slot);
      if (i < 0) return;
      this.slots.splice(i, 1);
      slot.job?.pending.reject(new EngineError('WORKER_FAILED', why));
      slot.job = undefined;
      if (!this.closed) this.dispatch();
    };
    worker.on('error', (e) => fail(`worker crashed: ${e.message}`));
    worker.on('exit', (code) => fail(`worker exited with code ${code}`));
    this.slots.push(slot);
    return slot;
  }
}

export interface PoolNeighbourSearchOptions {
  readonly method?: NeighbourMethod;
  /** Shares per worker (default 2, so a worker slowed by a busy core does not hold up the others). */
  readonly sharesPerWorker?: number;
  /** Below this many queries the search is one share (default 2,000). */
  readonly minShare?: number;
  /**
   * Called as shares finish, with the queries done so far out of all of them. Brute-force searches are
   * then cut into shares of at most `progressShare` queries (default 5,000), so progress moves every few
   * seconds even on 100k+ rows; the neighbours are the same for any split.
   */
  readonly onProgress?: (queriesDone: number, queries: number) => void;
  readonly progressShare?: number;
}

function numericColumns(frame: Frame): Float64Array[] {
  const out: Float64Array[] = [];
  for (const c of frame.columns) if (c.kind === 'numeric') out.push(c.values);
  return out;
}

/**
 * An exact k-NN search split across the pool's workers: the points go onto a SharedArrayBuffer (once per
 * call), the queries are cut into contiguous shares, each share searched against all indexed points in a
 * worker, and the shares' rows concatenated in order. The neighbours are exact, so the result is the same
 * as `kNearestNeighbours` in one thread for any pool size.
 */
export function poolNeighbourSearch(
  pool: WorkerPool,
  options: PoolNeighbourSearchOptions = {},
): NeighbourSearch {
  const method = options.method ?? 'auto';
  const perWorker = Math.max(1, options.sharesPerWorker ?? 2);
  const minShare = Math.max(1, options.minShare ?? 2_000);
  return async (points: PointMatrix, dims: number, k: number, indices?: Int32Array): Promise<Neighbours> => {
    const count = indices ? indices.length : points.length / dims;
    // The k-d tree is built per share; for it one share per worker is enough.
    const resolved = resolveNeighbourMethod(method, dims);
    const wanted = resolved === 'kd-tree' ? pool.size : pool.size * perWorker;
    let shares = Math.max(1, Math.min(wanted, Math.floor(count / minShare)));
    if (options.onProgress && resolved === 'brute-force') {
      shares = Math.max(shares, Math.ceil(count / Math.max(1, options.progressShare ?? 5_000)));
    }
    let done = 0;
    options.onProgress?.(0, count);
    const shared = toShared(points);
    const sharedIdx = indices ? toSharedInt32(indices) : undefined;
    const jobs: Promise<NeighbourJobResult>[] = [];
    for (let s = 0; s < shares; s++) {
      const queryStart = Math.floor((s * count) / shares);
      const queryEnd = Math.floor(((s + 1) * count) / shares);
      const job = pool.neighbours({
        points: shared,
        dims,
        k,
        ...(sharedIdx ? { indices: sharedIdx } : {}),
        queryStart,
        queryEnd,
        method: resolved,
      });
      jobs.push(
        options.onProgress
          ? job.then((r) => {
              done += queryEnd - queryStart;
              options.onProgress?.(done, count);
              return r;
            })
          : job,
      );
    }
    const parts = await Promise.all(jobs);
    const out = { indices: new Int32Array(count * k), sqDistances: new Float64Array(count * k) };
    let offset = 0;
    for (const p of parts) {
      out.indices.set(p.neighbours, offset);
      out.sqDistances.set(p.sqDistances, offset);
      offset += p.neighbours.length;
    }
    return out;
  };
}

export interface PoolTomekSearchOptions {
  /** Query rows per share (default 5,000): progress moves as shares finish. */
  readonly share?: number;
  /** Called as shares finish, with the query rows done so far out of all of them. */
  readonly onProgress?: (done: number, total: number) => void;
}

/**
 * The Tomek links of decision 0100 on the pool: one worker builds both class indexes on SharedArrayBuffers
 * and probes them; shares of the query rows are then searched across the workers against that one index,
 * and the few candidate pairs confirmed. Where the probe says the indexes do not prune, the links come from
 * the brute force's 1-NN of every row on the pool instead. The same links as `tomekLinks` in this thread.
 */
export function poolTomekSearch(pool: WorkerPool, options: PoolTomekSearchOptions = {}): TomekSearch {
  const shareSize = Math.max(1, options.share ?? 5_000);
  return async (points, labels, dims, hints) => {
    const sharedPoints = toShared(points);
    const sharedHints = hints.hints ? toSharedInt32(hints.hints) : undefined;
    const built = await pool.tomek({
      step: 'index',
      points: sharedPoints,
      labels: toShared(labels),
      dims,
      ...(hints.queryClass === undefined ? {} : { queryClass: hints.queryClass }),
      ...(sharedHints ? { hints: sharedHints } : {}),
    });
    if (!built.prunes) {
      const onProgress = options.onProgress;
      const search = poolNeighbourSearch(pool, {
        method: 'brute-force',
        ...(onProgress ? { onProgress } : {}),
      });
      return linksFromNeighbours(labels, (await search(sharedPoints, dims, 1)).indices);
    }
    const { index, queries } = built;
    const total = queries.length;
    let done = 0;
    options.onProgress?.(0, total);
    const shares: Promise<TomekSearchJobResult>[] = [];
    for (let start = 0; start < total; start += shareSize) {
      const end = Math.min(total, start + shareSize);
      shares.push(
        pool
          .tomek({
            step: 'search',
            index,
            queries,
            start,
            end,
            ...(sharedHints ? { hints: sharedHints } : {}),
          })
          .then((r) => {
            done += end - start;
            options.onProgress?.(done, total);
            return r;
          }),
      );
    }
    const nearestOther = new Int32Array(total);
    let offset = 0;
    for (const r of await Promise.all(shares)) {
      nearestOther.set(r.nearestOther, offset);
      offset += r.nearestOther.length;
    }
    const pairs = candidatePairs(queries, nearestOther);
    const of = toSharedInt32(pairs.of);
    const near = toSharedInt32(pairs.near);
    const confirming: Promise<TomekConfirmJobResult>[] = [];
    const per = Math.max(1, Math.ceil(of.length / pool.size));
    for (let start = 0; start < of.length; start += per) {
      confirming.push(
        pool.tomek({ step: 'confirm', index, of, near, start, end: Math.min(of.length, start + per) }),
      );
    }
    const confirmed = new Uint8Array(of.length);
    offset = 0;
    for (const r of await Promise.all(confirming)) {
      confirmed.set(r.confirmed, offset);
      offset += r.confirmed.length;
    }
    return linksFromPairs(labels.length, of, near, confirmed);
  };
}

/**
 * Both of SMOTE-Tomek's searches on the pool: SMOTE's k-NN (`poolNeighbourSearch`) and the Tomek links
 * (`poolTomekSearch`). `onProgress` hears from each in turn, with its own total.
 */
export function poolResamplingSearch(
  pool: WorkerPool,
  options: PoolNeighbourSearchOptions & PoolTomekSearchOptions = {},
): ResamplingSearch {
  return { neighbours: poolNeighbourSearch(pool, options), tomek: poolTomekSearch(pool, options) };
}

function toSharedInt32(a: Int32Array): Int32Array {
  if (a.buffer instanceof SharedArrayBuffer) return a;
  const copy = new Int32Array(new SharedArrayBuffer(a.byteLength));
  copy.set(a);
  return copy;
}

/** Copies a matrix onto a SharedArrayBuffer so several workers read it without a copy each. */
export function toShared<T extends FeatureMatrix | Uint8Array>(a: T): T {
  if (a.buffer instanceof SharedArrayBuffer) return a;
  const sab = new SharedArrayBuffer(a.byteLength);
  const copy =
    a instanceof Float32Array
      ? new Float32Array(sab)
      : a instanceof Float64Array
        ? new Float64Array(sab)
        : new Uint8Array(sab);
  copy.set(a);
  return copy as T;
}

/**
 * Grows one seeded forest across the pool: each worker grows a disjoint range of its trees (tree t is the
 * same whichever worker grows it), the parts are merged. The data is shared, not copied per worker.
 */
export async function trainForestInPool(
  pool: WorkerPool,
  X: FeatureMatrix,
  y: Uint8Array,
  rows: number,
  cols: number,
  params: Partial<RandomForestParams> = {},
): Promise<RandomForestModel> {
  const trees = params.trees ?? 100;
  const parts = Math.min(pool.size, trees);
  const sx = toShared(X);
  const sy = toShared(y);
  const jobs: Promise<TrainJobResult>[] = [];
  for (let k = 0, first = params.firstTree ?? 0; k < parts; k++) {
    const n = Math.floor(trees / parts) + (k < trees % parts ? 1 : 0);
    jobs.push(
      pool.run({
        engine: 'random-forest',
        X: sx,
        y: sy,
        rows,
        cols,
        params: { ...params, trees: n, firstTree: first },
      }),
    );
    first += n;
  }
  const models = (await Promise.all(jobs)).map((r) => {
    const { header, payload } = unpackModel(r.model);
    return new RandomForestModel(decodeForest(payload), header.cols, {
      ...RANDOM_FOREST_DEFAULTS,
      ...params,
    });
  });
  return mergeForests(models);
}
