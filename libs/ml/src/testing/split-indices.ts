import { assignSplit } from '../split';

/**
 * Stratified train/test split as row indices (benchmarks and tests that take rows by index): each class is
 * shuffled with the seed and the first round(n_c × testFraction) rows of it go to test, so both parts keep
 * the class balance. Indices come back sorted ascending. It is `assignSplit` (stratified, no groups) read as
 * indices, so the same seed gives the same test rows as ingestion's split. (Same idea as scikit-learn's
 * train_test_split(stratify=y), not the same random stream.)
 */
export function stratifiedSplit(
  y: Uint8Array,
  testFraction: number,
  seed: number,
): { train: Uint32Array; test: Uint32Array } {
  if (!(testFraction > 0 && testFraction < 1)) throw new RangeError('testFraction must be in (0, 1)');
  const side = assignSplit({ labels: y, testRatio: testFraction, seed, stratified: true });
  const train: number[] = [];
  const test: number[] = [];
  for (let i = 0; i < side.length; i++) (side[i] === 1 ? test : train).push(i);
  return { train: Uint32Array.from(train), test: Uint32Array.from(test) };
}
