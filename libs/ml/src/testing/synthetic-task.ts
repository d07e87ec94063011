import { seededRandom } from '../random';

/**
 * A deterministic synthetic binary task used by tests and the benchmark: 30 features mixing continuous
 * signal, an interaction, a threshold effect, -1/0/1 "categorical" columns like the phishing set, and noise,
 * with 5% label noise so no engine scores a perfect 1.
 */
export function syntheticTask(rows: number, cols = 30, seed = 1): { X: Float32Array; y: Uint8Array } {
  if (cols < 8) throw new Error('syntheticTask needs at least 8 columns');
  const rnd = seededRandom(seed);
  const X = new Float32Array(rows * cols);
  const y = new Uint8Array(rows);
  const gauss = (): number => {
    const u = 1 - rnd.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rnd.next());
  };
  for (let i = 0; i < rows; i++) {
    const o = i * cols;
    for (let j = 0; j < cols; j++) X[o + j] = j % 3 === 2 ? rnd.int(3) - 1 : gauss();
    const score =
      1.2 * X[o]! -
      0.8 * X[o + 1]! +
      X[o + 3]! * X[o + 4]! +
      (X[o + 6]! > 0.5 ? 1 : -0.3) +
      0.9 * X[o + 2]! -
      0.7 * X[o + 5]! +
      0.5 * Math.sin(2 * X[o + 7]!);
    const label = score + 0.5 * gauss() > 0.3 ? 1 : 0;
    y[i] = rnd.next() < 0.05 ? 1 - label : label;
  }
  return { X, y };
}
