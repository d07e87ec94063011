import { describe, expect, it } from 'vitest';
import { compareScores, formatDelta } from './compare-scores';

describe('compareScores', () => {
  it('passes scores within the tolerance and counts the others', () => {
    const expected = [0.1, 0.5, 0.9, 0.3];
    expect(compareScores(expected, Float64Array.from(expected), 1e-9)).toEqual({
      samples: 4,
      mismatches: 0,
      maxDelta: 0,
    });
    const actual = Float64Array.of(0.1 + 5e-10, 0.91, 0.9, 0.3 - 0.41);
    const c = compareScores(expected, actual, 1e-9);
    expect(c.mismatches).toBe(2);
    expect(formatDelta(c.maxDelta)).toBe('0.41');
  });

  it('never passes a score that is not a finite number, on either side', () => {
    expect(compareScores([0.5, NaN], Float64Array.of(NaN, NaN), 1)).toMatchObject({
      mismatches: 2,
      maxDelta: Infinity,
    });
    expect(formatDelta(Infinity)).toBe('not finite');
  });

  it('counts every sample when the lengths differ', () => {
    expect(compareScores([0.1, 0.2], Float64Array.of(0.1), 1e-9)).toMatchObject({ mismatches: 2 });
  });

  it('formats small differences with two significant digits', () => {
    expect(formatDelta(3.2456e-7)).toBe('3.2e-7');
  });
});
