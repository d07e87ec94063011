import { describe, expect, it } from 'vitest';
import { runResampleJob, type ResampleJob } from '../engines/jobs';
import { smoteTomek } from '../preprocessing';
import { takeLabels, takeMatrixRows } from '../split';
import { lineTask } from '../testing';
import { rebalanceFolds, type FoldResampling } from './fold-rebalancing';
import { buildFolds, stratifiedKFold } from './folds';

const resampleInThread = (job: ResampleJob) => Promise.resolve(runResampleJob(job));

const rowKey = (X: Float64Array, cols: number, r: number): string =>
  Array.from(X.subarray(r * cols, (r + 1) * cols)).join(',');

/** Whether point p lies on the segment a + t·(b − a), t in [0, 1] (to 1e-9). */
function onSegment(p: ArrayLike<number>, a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  let j0 = 0;
  for (let j = 1; j < p.length; j++) if (Math.abs(b[j]! - a[j]!) > Math.abs(b[j0]! - a[j0]!)) j0 = j;
  const d = b[j0]! - a[j0]!;
  if (d === 0) return false;
  const t = (p[j0]! - a[j0]!) / d;
  if (t < -1e-12 || t > 1 + 1e-12) return false;
  for (let j = 0; j < p.length; j++) if (Math.abs(a[j]! + t * (b[j]! - a[j]!) - p[j]!) > 1e-9) return false;
  return true;
}

/**
 * The rows of a (rebalanced) fold-train matrix that are neither one of `allowed` (the original rows the
 * fold may train on) nor a point between two of `allowed`'s positives: rows that could only have been
 * built from rows outside the fold's training part.
 */
function rowsFromElsewhere(
  trainX: Float64Array,
  trainRows: number,
  allowedX: Float64Array,
  allowedY: Uint8Array,
  cols: number,
): number {
  const originals = new Set<string>();
  for (let r = 0; r < allowedY.length; r++) originals.add(rowKey(allowedX, cols, r));
  const minority: Float64Array[] = [];
  for (let r = 0; r < allowedY.length; r++) {
    if (allowedY[r] === 1) minority.push(allowedX.subarray(r * cols, (r + 1) * cols));
  }
  let outside = 0;
  for (let r = 0; r < trainRows; r++) {
    if (originals.has(rowKey(trainX, cols, r))) continue;
    const p = trainX.subarray(r * cols, (r + 1) * cols);
    const between = minority.some((a, i) => minority.some((b, j) => i !== j && onSegment(p, a, b)));
    if (!between) outside++;
  }
  return outside;
}

describe('in-fold resampling', () => {
  // About a quarter of the rows positive.
  const data = lineTask(360, 21, { threshold: 1.3, flip: 0.03 });
  const { X, y, rows, cols } = data;
  const k = 3;
  const foldOf = stratifiedKFold(y, k, 7);
  const settings: FoldResampling = { k: 5, seed: 3, run: resampleInThread };
  const positives = y.reduce((n, v) => n + v, 0);

  it('the data is imbalanced', () => {
    expect(positives / rows).toBeGreaterThan(0.15);
    expect(positives / rows).toBeLessThan(0.35);
  });

  it("rebalances each fold's training rows only: every new row lies between two of that fold's training positives", async () => {
    const { folds, reports } = await rebalanceFolds(buildFolds(X, y, rows, cols, foldOf, k), cols, settings);
    for (let f = 0; f < k; f++) {
      const fold = folds[f]!;
      const trainIdx = [...foldOf.keys()].filter((i) => foldOf[i] !== f);
      const validIdx = [...foldOf.keys()].filter((i) => foldOf[i] === f);
      const fitX = takeMatrixRows(X, cols, trainIdx);
      const fitY = takeLabels(y, trainIdx);
      expect(rowsFromElsewhere(fold.trainX, fold.trainRows, fitX, fitY, cols)).toBe(0);
      // No validation row is in the rebalanced training part (continuous data: no duplicates across).
      const trainKeys = new Set(
        Array.from({ length: fold.trainRows }, (_, r) => rowKey(fold.trainX, cols, r)),
      );
      for (const i of validIdx) expect(trainKeys.has(rowKey(X, cols, i))).toBe(false);
      // The validation part is exactly the fold's original rows and labels, never resampled.
      expect(fold.validRows).toBe(validIdx.length);
      expect(Array.from(fold.validX)).toEqual(Array.from(takeMatrixRows(X, cols, validIdx)));
      expect(Array.from(fold.validY)).toEqual(Array.from(takeLabels(y, validIdx)));
      // The training part is now (nearly) balanced, and bigger: SMOTE added rows, Tomek removed a few.
      const pos = fold.trainY.reduce((n, v) => n + v, 0);
      expect(Math.abs(pos / fold.trainRows - 0.5)).toBeLessThan(0.05);
      expect(fold.trainX.buffer).toBeInstanceOf(SharedArrayBuffer);
      expect(reports[f]).toMatchObject({
        trainRowsBefore: trainIdx.length,
        trainRowsAfter: fold.trainRows,
        validRows: validIdx.length,
      });
      expect(reports[f]!.synthetic).toBeGreaterThan(50);
      // The same rows as SMOTE-Tomek of exactly those training rows.
      const direct = smoteTomek(fitX, fitY, { cols, k: 5, seed: 3 });
      expect(Array.from(fold.trainX)).toEqual(Array.from(direct.X));
      expect(Array.from(fold.trainY)).toEqual(Array.from(direct.y));
    }
  });

  it('the same check flags the old way (rebalance all of train, then split): synthetic rows built from validation rows', () => {
    const balanced = smoteTomek(X, y, { cols, k: 5, seed: 3 });
    const leakyFolds = buildFolds(
      balanced.X,
      balanced.y,
      balanced.rows,
      cols,
      stratifiedKFold(balanced.y, k, 7),
      k,
    );
    // A fold's training part may only draw on the originals that are not in its validation part.
    let outside = 0;
    for (const fold of leakyFolds) {
      const valid = new Set(Array.from({ length: fold.validRows }, (_, r) => rowKey(fold.validX, cols, r)));
      const allowed = [...y.keys()].filter((i) => !valid.has(rowKey(X, cols, i)));
      outside += rowsFromElsewhere(
        fold.trainX,
        fold.trainRows,
        takeMatrixRows(X, cols, allowed),
        takeLabels(y, allowed),
        cols,
      );
    }
    expect(outside).toBeGreaterThan(20);
  });
});
