import { afterAll, describe, expect, it } from 'vitest';

import {
  poolNeighbourSearch,
  poolResamplingSearch,
  poolTomekSearch,
  WorkerPool,
} from '../engines/worker-pool';
import { seededRandom } from '../random';
import { bruteForceKnn } from './kd-tree';
import { smote } from './smote';
import { smoteTomek, smoteTomekWith } from './smote-tomek';
import { tomekLinks } from './tomek-links';
import {
  buildTomekIndex,
  hintsFromSmote,
  linksFromNeighbours,
  probeTomekIndex,
  tomekLinksByClassIndex,
  tomekQueryRows,
} from './tomek-search';

/**
 * Labelled points like the transformed matrices: `grid` rounds coordinates (duplicates and exact ties, also
 * across the classes), `sparse` zeroes most values, `heavy` makes a few huge (robust-scaled byte counts);
 * the positives are shifted by `shift` so that the classes overlap at a boundary.
 */
function labelled(
  n: number,
  d: number,
  seed: number,
  opts: { grid?: number; sparse?: number; heavy?: boolean; share?: number; shift?: number } = {},
): { X: Float64Array; y: Uint8Array } {
  const rng = seededRandom(seed);
  const X = new Float64Array(n * d);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = rng.next() < (opts.share ?? 0.3) ? 1 : 0;
    for (let j = 0; j < d; j++) {
      if (opts.sparse !== undefined && rng.next() < opts.sparse) continue;
      let v = opts.grid ? Math.floor(rng.next() * opts.grid) : rng.next() * 4 - 2;
      if (y[i] === 1 && j % 3 === 0) v += opts.shift ?? 1;
      if (opts.heavy && rng.next() < 0.05) v = v * 1e6 + rng.next();
      X[i * d + j] = v;
    }
  }
  for (let i = 0; i < n / 10; i++) {
    const from = rng.int(n);
    X.copyWithin(rng.int(n) * d, from * d, from * d + d);
  }
  return { X, y };
}

/** The links from a full sort of every row's distances (self excluded, ties by the smaller index). */
function naiveLinks(X: Float64Array, y: Uint8Array, d: number): number[] {
  const nn = Int32Array.from(
    { length: y.length },
    (_, i) => bruteForceKnn(X, d, X.subarray(i * d, (i + 1) * d), 1, { exclude: i }).indices[0]!,
  );
  return Array.from(linksFromNeighbours(y, nn));
}

const ones = (a: ArrayLike<number>): number => Array.from(a).reduce((s, v) => s + v, 0);

describe('Tomek links by the class indexes (decision 0100)', () => {
  for (const [name, n, d, opts] of [
    ['continuous', 900, 20, {}],
    ['grid (duplicates and ties across the classes)', 800, 12, { grid: 3 }],
    ['binary grid, wide', 600, 60, { grid: 2, shift: 0 }],
    ['sparse one-hot-like', 900, 96, { grid: 2, sparse: 0.9 }],
    ['heavy-tailed', 700, 40, { heavy: true, sparse: 0.5 }],
    ['few dimensions', 600, 3, { grid: 4 }],
    ['a small minority', 700, 16, { share: 0.03, grid: 5 }],
  ] as const) {
    it(`the naive search's links, whatever the query class, budget, hints or projection: ${name}, ${n}×${d}`, () => {
      const { X, y } = labelled(n, d, n + d, opts);
      const want = naiveLinks(X, y, d);
      expect(ones(want)).toBeGreaterThan(0);
      const rng = seededRandom(d);
      // Random hints, some of them useless (the other class, the row itself): only the time may change.
      const hints = Int32Array.from({ length: n }, (_, i) =>
        i % 5 === 0 ? -1 : i % 7 === 0 ? i : rng.int(n),
      );
      for (const options of [
        {},
        { queryClass: 0 as const },
        { queryClass: 1 as const, budget: 0 },
        { budget: 1, hints },
        { budget: 1_000_000, components: 2, leafSize: 1 },
        { components: 1, leafSize: 3, queryClass: 0 as const, hints },
      ]) {
        expect(Array.from(tomekLinksByClassIndex(X, y, d, options))).toEqual(want);
      }
      expect(Array.from(tomekLinks(X, y, d))).toEqual(want);
      expect(Array.from(tomekLinks(X, y, d, 'brute-force'))).toEqual(want);
    });
  }

  it('one class of a single row, a single class, and all rows equal', () => {
    const d = 5;
    const { X } = labelled(200, d, 3);
    const y = new Uint8Array(200);
    y[17] = 1;
    expect(Array.from(tomekLinksByClassIndex(X, y, d))).toEqual(naiveLinks(X, y, d));
    const equal = new Float64Array(100 * d).fill(2.5);
    const y2 = Uint8Array.from({ length: 100 }, (_, i) => (i % 3 === 0 ? 1 : 0));
    // Every distance is 0: each row's nearest is the smallest other index, so rows 0 and 1 link.
    expect(Array.from(tomekLinksByClassIndex(equal, y2, d))).toEqual(naiveLinks(equal, y2, d));
    expect(ones(tomekLinksByClassIndex(equal, y2, d))).toBe(2);
    // A single class: no link, whichever class is asked to be queried.
    const none = new Uint8Array(200);
    expect(ones(tomekLinksByClassIndex(X, none, d))).toBe(0);
    expect(ones(tomekLinksByClassIndex(X, none, d, { queryClass: 0 }))).toBe(0);
  });

  it('neighbours closer than the rounding error of their projections, far from the origin', () => {
    const d = 24;
    const rng = seededRandom(12);
    const X = new Float64Array(500 * d);
    for (let i = 0; i < X.length; i++) X[i] = 1e12 + Math.floor(rng.next() * 4) * 2 ** -13;
    const y = Uint8Array.from({ length: 500 }, () => (rng.next() < 0.4 ? 1 : 0));
    const want = naiveLinks(X, y, d);
    expect(Array.from(tomekLinksByClassIndex(X, y, d, { components: 4 }))).toEqual(want);
    expect(Array.from(tomekLinksByClassIndex(X, y, d))).toEqual(want);
  });

  it("SMOTE's hints and the grown class as the query class: the links of the 1-NN of every row", () => {
    const d = 30;
    const { X, y } = labelled(1_500, d, 77, { share: 0.15, grid: 6, sparse: 0.4 });
    const over = smote(X, y, { cols: d, k: 5, seed: 5 });
    const hints = hintsFromSmote(over.rows, over.synthetic);
    // Every hint is a row of the same class, never the row itself.
    for (let i = 0; i < over.rows; i++) {
      if (hints[i]! < 0) continue;
      expect(hints[i]).not.toBe(i);
      expect(over.y[hints[i]!]).toBe(over.y[i]);
    }
    const want = Array.from(tomekLinks(over.X, over.y, d, 'brute-force'));
    expect(ones(want)).toBeGreaterThan(0);
    const got = tomekLinksByClassIndex(over.X, over.y, d, { hints, queryClass: over.minority! });
    expect(Array.from(got)).toEqual(want);
  });

  it('the probe says no on dense data of high intrinsic dimension; the links are the same either way', () => {
    const d = 30;
    const { X, y } = labelled(3_000, d, 5, { shift: 0 });
    const index = buildTomekIndex(X, y, d);
    const probe = probeTomekIndex(index, tomekQueryRows(y));
    expect(probe.prunes).toBe(false);
    expect(Array.from(tomekLinksByClassIndex(X, y, d))).toEqual(naiveLinks(X, y, d));
    // Rows near a 3-dimensional subspace of 40 (a low intrinsic dimension, as one-hot, scaled intrusion
    // data has), the classes apart: it prunes.
    const rng = seededRandom(6);
    const A = Float64Array.from({ length: 40 * 3 }, () => rng.next() - 0.5);
    const low = new Float64Array(3_000 * 40);
    const yLow = Uint8Array.from({ length: 3_000 }, () => (rng.next() < 0.3 ? 1 : 0));
    for (let i = 0; i < 3_000; i++) {
      const t = [rng.next() + yLow[i]! * 1.5, rng.next(), rng.next()];
      for (let j = 0; j < 40; j++)
        low[i * 40 + j] = A[j * 3]! * t[0]! + A[j * 3 + 1]! * t[1]! + A[j * 3 + 2]! * t[2]!;
    }
    const ok = probeTomekIndex(buildTomekIndex(low, yLow, 40), tomekQueryRows(yLow));
    expect(ok.prunes).toBe(true);
    expect(Array.from(tomekLinksByClassIndex(low, yLow, 40))).toEqual(naiveLinks(low, yLow, 40));
  });

  it('refuses NaN and a matrix of the wrong shape', () => {
    expect(() => buildTomekIndex(Float64Array.from([0, NaN, 1, 1]), Uint8Array.from([0, 1]), 2)).toThrow(
      /NaN/,
    );
    expect(() => buildTomekIndex(new Float64Array(5), Uint8Array.from([0, 1]), 2)).toThrow(/expected 2×2/);
  });
});

describe('Tomek links on the worker pool', () => {
  const pools = [new WorkerPool({ size: 1 }), new WorkerPool({ size: 2 })];
  afterAll(() => Promise.all(pools.map((p) => p.close())));

  it('the same links and SMOTE-Tomek rows with 1 and 2 workers as in this thread, with progress', async () => {
    const d = 40;
    const { X, y } = labelled(6_000, d, 21, { grid: 4, sparse: 0.6, heavy: true, share: 0.2 });
    const local = smoteTomek(X, y, { cols: d, k: 5, seed: 3 });
    // Decision 0085's way (the 1-NN of every row) gives the same rows.
    const viaNeighbours = await smoteTomekWith(
      X,
      y,
      { cols: d, k: 5, seed: 3 },
      poolNeighbourSearch(pools[1]!),
    );
    expect(Array.from(viaNeighbours.y)).toEqual(Array.from(local.y));
    expect(Array.from(viaNeighbours.X)).toEqual(Array.from(local.X));
    expect(local.report.tomekRemoved).toBeGreaterThan(0);
    for (const pool of pools) {
      const seen: number[] = [];
      const search = poolResamplingSearch(pool, { share: 700, onProgress: (done) => void seen.push(done) });
      const out = await smoteTomekWith(X, y, { cols: d, k: 5, seed: 3 }, search);
      expect(out.report).toEqual(local.report);
      expect(Array.from(out.X)).toEqual(Array.from(local.X));
      expect(Array.from(out.y)).toEqual(Array.from(local.y));
      // The Tomek search reported its shares of 700 query rows (a grown class of ~4,800) as they finished.
      expect(seen.length).toBeGreaterThan(6);
    }
  }, 120_000);

  it('where the probe falls back to the brute force: the same links', async () => {
    const d = 30;
    const { X, y } = labelled(3_000, d, 5, { shift: 0 });
    const want = Array.from(tomekLinksByClassIndex(X, y, d));
    expect(Array.from(await poolTomekSearch(pools[1]!)(X, y, d, {}))).toEqual(want);
  }, 60_000);
});
