import type { EngineKind } from '../engines/engine';
import type { TrainJob } from '../engines/jobs';
import { toShared, trainForestInPool, WorkerPool } from '../engines/worker-pool';
import type { JobRunner } from './cross-validation';
import { engineParams, type ParamSet } from './engine-params';

/** What a refit trains: the engine, the configuration, and the parameters to fit (default `params`). */
export interface RefitTrial {
  readonly engine: EngineKind;
  readonly params: ParamSet;
  /** `params` with early stopping's mean fold rounds as `rounds`. */
  readonly fitParams?: ParamSet;
}

/**
 * Fits the chosen configuration (its `fitParams`: early stopping's rounds) on the whole training matrix.
 * On a WorkerPool a random forest grows its trees across every worker (`trainForestInPool`); anything else
 * is one job, on the pool (or anything with its `run`) or the runner.
 */
export async function refit(
  runner: Pick<WorkerPool, 'run'> | JobRunner,
  trial: RefitTrial,
  data: { X: Float64Array; y: Uint8Array; rows: number; cols: number },
  seed: number,
): Promise<{ model: Uint8Array; trainMs: number }> {
  const ep = engineParams(trial.engine, trial.fitParams ?? trial.params, data.cols, seed);
  const X = toShared(data.X);
  const y = toShared(data.y);
  const started = performance.now();
  if (runner instanceof WorkerPool && trial.engine === 'random-forest') {
    const model = await trainForestInPool(runner, X, y, data.rows, data.cols, ep);
    try {
      return { model: model.toBytes(), trainMs: performance.now() - started };
    } finally {
      model.free();
    }
  }
  const job = { engine: trial.engine, X, y, rows: data.rows, cols: data.cols, params: ep } as TrainJob;
  const result = typeof runner === 'function' ? await runner(job) : await runner.run(job);
  return { model: result.model, trainMs: performance.now() - started };
}
