import { confusionMatrix } from '../evaluation/metrics';
import type { FeatureMatrix } from '../engines/engine';

/** F1 of the positive class (label 1) at a probability threshold. */
export function f1Score(y: Uint8Array, proba: Float64Array, threshold = 0.5): number {
  const { tp, fp, fn } = confusionMatrix(y, proba, threshold);
  return tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn);
}

export function accuracy(y: Uint8Array, proba: Float64Array, threshold = 0.5): number {
  const { tp, tn } = confusionMatrix(y, proba, threshold);
  return (tp + tn) / y.length;
}

/**
 * Positions (0..testRows-1) of test rows whose exact feature vector does not occur in train: scoring only
 * these gives the duplicate-aware figure (the phishing set repeats ~47% of its rows).
 */
export function unseenTestRows(train: FeatureMatrix, test: FeatureMatrix, cols: number): Uint32Array {
  const key = (X: FeatureMatrix, r: number): string =>
    Array.from(X.subarray(r * cols, (r + 1) * cols)).join(',');
  const seen = new Set<string>();
  for (let r = 0; r < train.length / cols; r++) seen.add(key(train, r));
  const keep: number[] = [];
  for (let r = 0; r < test.length / cols; r++) if (!seen.has(key(test, r))) keep.push(r);
  return Uint32Array.from(keep);
}
