import type { ResampleJob, ResampleJobResult } from '../engines/jobs';
import { toShared } from '../engines/worker-pool';
import type { Fold } from './folds';

/** Rebalances one matrix: a WorkerPool's `resample`, or `runResampleJob` in this thread (tests). */
export type ResampleRunner = (job: ResampleJob) => Promise<ResampleJobResult>;

/** How to rebalance each fold's training part: SMOTE-Tomek with transform's settings. */
export interface FoldResampling {
  /** SMOTE's nearest neighbours. */
  readonly k: number;
  readonly seed: number;
  readonly run: ResampleRunner;
}

/** One fold's rebalancing: its training part before and after, its validation part (never resampled). */
export interface FoldResamplingReport {
  readonly trainRowsBefore: number;
  readonly trainRowsAfter: number;
  readonly synthetic: number;
  readonly tomekRemoved: number;
  readonly validRows: number;
  /** Worker time of the fold's resampling. */
  readonly ms: number;
}

/**
 * Rebalances every fold's training part with SMOTE-Tomek, once (all trials of all candidates reuse it), the
 * folds concurrently on the runner. Only the fold's own training rows go in, so no synthetic row is built
 * from a validation row; the validation part is returned as it was, the original rows and labels. The
 * rebalanced matrices are put on SharedArrayBuffers, like buildFolds', for the trial jobs to share.
 */
export async function rebalanceFolds(
  folds: readonly Fold[],
  cols: number,
  settings: FoldResampling,
  signal?: AbortSignal,
): Promise<{ folds: Fold[]; reports: FoldResamplingReport[] }> {
  const results = await Promise.all(
    folds.map((fold) => {
      signal?.throwIfAborted();
      return settings.run({
        method: 'smote-tomek',
        X: fold.trainX,
        y: fold.trainY,
        cols,
        k: settings.k,
        seed: settings.seed,
      });
    }),
  );
  return {
    folds: folds.map((fold, f) => {
      const r = results[f]!;
      return { ...fold, trainX: toShared(r.X), trainY: toShared(r.y), trainRows: r.rows };
    }),
    reports: folds.map((fold, f) => {
      const r = results[f]!;
      return {
        trainRowsBefore: fold.trainRows,
        trainRowsAfter: r.rows,
        synthetic: r.report.synthetic,
        tomekRemoved: r.report.tomekRemoved,
        validRows: fold.validRows,
        ms: Math.round(r.resampleMs),
      };
    }),
  };
}
