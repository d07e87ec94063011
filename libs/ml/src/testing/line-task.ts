import { seededRandom } from '../random';

/**
 * A small task of two informative features and one noise column, in float64: label 1 when x0 + x1 >
 * `threshold` (1: about half the rows positive; 1.3: about a quarter), a `flip` share of the labels
 * flipped. For model-selection tests: fast to fit, and separable enough that a good fit shows.
 */
export function lineTask(
  rows: number,
  seed: number,
  options: { threshold?: number; flip?: number } = {},
): { X: Float64Array; y: Uint8Array; rows: number; cols: number } {
  const { threshold = 1, flip = 0.05 } = options;
  const rnd = seededRandom(seed);
  const cols = 3;
  const X = new Float64Array(rows * cols);
  const y = new Uint8Array(rows);
  for (let i = 0; i < rows; i++) {
    const a = rnd.next();
    const b = rnd.next();
    X.set([a, b, rnd.next()], i * cols);
    y[i] = (a + b > threshold ? 1 : 0) ^ (rnd.next() < flip ? 1 : 0);
  }
  return { X, y, rows, cols };
}
