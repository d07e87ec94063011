import { describe, expect, it } from 'vitest';
import { lineTask } from '../testing';
import { nestedShare, stratifiedKFold, stratifiedSample } from './folds';

describe('stratifiedKFold', () => {
  const y = Uint8Array.from({ length: 103 }, (_, i) => (i % 3 === 0 ? 1 : 0));

  it('puts every row in exactly one fold, folds disjoint and covering, each class spread evenly', () => {
    const k = 4;
    const fold = stratifiedKFold(y, k, 1);
    expect(fold).toHaveLength(y.length);
    const members = Array.from({ length: k }, (_, f) => [...fold.keys()].filter((i) => fold[i] === f));
    const all = members.flat().sort((a, b) => a - b);
    expect(all).toEqual([...y.keys()]); // covering, and no row twice (disjoint)
    const positives = y.reduce((n, v) => n + v, 0);
    for (const m of members) {
      const pos = m.filter((i) => y[i] === 1).length;
      expect(pos === Math.floor(positives / k) || pos === Math.ceil(positives / k)).toBe(true);
      const neg = m.length - pos;
      const negatives = y.length - positives;
      expect(neg === Math.floor(negatives / k) || neg === Math.ceil(negatives / k)).toBe(true);
    }
  });

  it('is deterministic from the seed and changes with it', () => {
    expect(stratifiedKFold(y, 3, 5)).toEqual(stratifiedKFold(y, 3, 5));
    expect(stratifiedKFold(y, 3, 5)).not.toEqual(stratifiedKFold(y, 3, 6));
  });

  it('refuses fewer rows of a class than folds', () => {
    expect(() => stratifiedKFold(Uint8Array.from([1, 1, 0, 0, 0]), 3, 1)).toThrow(/class 1 has 2 rows/);
  });
});

describe('nestedShare', () => {
  it('shares rows nested and stratified: a larger share is a superset with the same class balance', () => {
    const y = lineTask(900, 5).y;
    const rows = Int32Array.from({ length: 900 }, (_, i) => i).filter((i) => i % 3 !== 0);
    const positives = (a: Int32Array) => a.reduce((n, r) => n + y[r]!, 0);
    const ninth = nestedShare(rows, y, 1 / 9, 3);
    const third = nestedShare(rows, y, 1 / 3, 3);
    expect(nestedShare(rows, y, 1 / 9, 3)).toEqual(ninth);
    expect(nestedShare(rows, y, 1 / 9, 4)).not.toEqual(ninth);
    expect([...ninth].every((r) => third.includes(r))).toBe(true);
    expect([...third].every((r) => rows.includes(r))).toBe(true);
    expect(third.length).toBeGreaterThanOrEqual(rows.length / 3);
    expect(third.length).toBeLessThanOrEqual(rows.length / 3 + 2);
    expect(Math.abs(positives(third) / third.length - positives(rows) / rows.length)).toBeLessThan(0.01);
    expect([...third]).toEqual([...third].sort((a, b) => a - b));
    expect(nestedShare(rows, y, 1, 3)).toBe(rows);
  });
});

describe('stratifiedSample', () => {
  it('keeps each class its share of at most max rows, ascending, the same for a seed; null when all fit', () => {
    const { y, rows } = lineTask(5_000, 4);
    const a = stratifiedSample(y, rows, 1_000, 3)!;
    expect(a).toHaveLength(1_000); // at most max: exactly max when there are more rows
    expect([...a].every((r, i) => i === 0 || r > a[i - 1]!)).toBe(true);
    const pos = (rowsOf: Iterable<number>) => [...rowsOf].filter((r) => y[r] === 1).length;
    expect(Math.abs(pos(a) / a.length - pos(y.keys()) / rows)).toBeLessThanOrEqual(1 / a.length);
    expect(stratifiedSample(y, rows, 1_000, 3)).toEqual(a);
    expect(stratifiedSample(y, rows, 1_000, 4)).not.toEqual(a);
    expect(stratifiedSample(y, rows, 5_000, 3)).toBeNull();
    expect(() => stratifiedSample(y, rows, 0, 3)).toThrow(RangeError);
  });

  it('samples hundreds of thousands of rows of one class (no argument-spreading limit)', () => {
    const y = Uint8Array.from({ length: 400_000 }, (_, i) => (i % 5 === 0 ? 1 : 0));
    const sample = stratifiedSample(y, y.length, 200_000, 1)!;
    expect(sample.length).toBe(200_000);
    expect(sample.filter((r) => y[r] === 1).length).toBe(40_000);
  });
});
