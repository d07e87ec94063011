/** How the pusher's scores of the sample records compare with the evaluator's. */
export interface ScoreComparison {
  readonly samples: number;
  /** Samples whose scores differ by more than the tolerance (or are not finite). */
  readonly mismatches: number;
  /** Largest |Δ| over the samples (Infinity when a score is not a finite number). */
  readonly maxDelta: number;
}

/**
 * Compares score by score; |Δ| ≤ tolerance passes. NaN or ±Infinity on either side never passes: a model
 * that cannot produce a probability disagrees, whatever the other side says.
 */
export function compareScores(
  expected: readonly number[],
  actual: ArrayLike<number>,
  tolerance: number,
): ScoreComparison {
  if (expected.length !== actual.length) {
    return { samples: expected.length, mismatches: expected.length, maxDelta: Infinity };
  }
  let mismatches = 0;
  let maxDelta = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = expected[i]!;
    const b = actual[i]!;
    const delta = Number.isFinite(a) && Number.isFinite(b) ? Math.abs(a - b) : Infinity;
    if (!(delta <= tolerance)) mismatches++;
    if (delta > maxDelta) maxDelta = delta;
  }
  return { samples: expected.length, mismatches, maxDelta };
}

/** `0.41`, `3.2e-7`, `not finite`: two significant digits are enough to tell drift from rounding. */
export function formatDelta(delta: number): string {
  return Number.isFinite(delta) ? String(Number(delta.toPrecision(2))) : 'not finite';
}
