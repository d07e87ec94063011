import { afterAll, describe, expect, it } from 'vitest';

import { poolNeighbourSearch, WorkerPool } from '../engines/worker-pool';
import { seededRandom } from '../random';
import { bruteForceKNearestOfEach } from './brute-knn';
import { bruteForceKnn, type Neighbours } from './kd-tree';
import { kNearestNeighbours, localNeighbourSearch, resolveNeighbourMethod } from './neighbours';
import { projectedKNearestOfEach } from './projected-knn';
import { smoteTomek, smoteTomekWith } from './smote-tomek';

/**
 * Points like the transformed matrices: `grid` > 0 rounds coordinates so duplicates and ties are common;
 * `sparse` zeroes most values; `heavy` multiplies a few by up to 10⁶ (robust-scaled byte counts), which is
 * where ‖a‖² + ‖b‖² − 2a·b cancels.
 */
function points(
  n: number,
  d: number,
  seed: number,
  opts: { grid?: number; sparse?: number; heavy?: boolean } = {},
): Float64Array {
  const rng = seededRandom(seed);
  const out = new Float64Array(n * d);
  for (let i = 0; i < out.length; i++) {
    if (opts.sparse !== undefined && rng.next() < opts.sparse) continue;
    let v = opts.grid ? Math.floor(rng.next() * opts.grid) : rng.next() * 10 - 5;
    if (opts.heavy && rng.next() < 0.05) v = v * 1e6 + rng.next();
    out[i] = v;
  }
  // Exact duplicate rows, some of them several times.
  for (let i = 0; i < n / 10; i++) {
    const from = rng.int(n);
    const to = rng.int(n);
    out.copyWithin(to * d, from * d, from * d + d);
  }
  return out;
}

/** The naive exact answer: for every indexed point, a full sort of the distances to the others. */
function naive(pts: Float64Array, d: number, k: number, indices?: number[]): Neighbours {
  const idx = indices ?? Array.from({ length: pts.length / d }, (_, i) => i);
  const outI = new Int32Array(idx.length * k);
  const outD = new Float64Array(idx.length * k);
  idx.forEach((p, t) => {
    const nn = bruteForceKnn(pts, d, pts.subarray(p * d, (p + 1) * d), k, { exclude: p, indices: idx });
    outI.set(nn.indices, t * k);
    outD.set(nn.sqDistances, t * k);
  });
  return { indices: outI, sqDistances: outD };
}

const same = (got: Neighbours, want: Neighbours): void => {
  expect(Array.from(got.indices)).toEqual(Array.from(want.indices));
  expect(Array.from(got.sqDistances)).toEqual(Array.from(want.sqDistances));
};

describe('exact neighbour search', () => {
  for (const [name, n, d, opts] of [
    ['continuous', 700, 20, {}],
    ['grid (duplicates and ties)', 600, 24, { grid: 3 }],
    ['binary grid, wide', 500, 60, { grid: 2 }],
    ['sparse one-hot-like', 800, 125, { grid: 2, sparse: 0.9 }],
    ['heavy-tailed (cancellation)', 600, 40, { heavy: true, sparse: 0.5 }],
    ['few dimensions', 500, 3, { grid: 4 }],
  ] as const) {
    it(`blocked brute force equals the naive search: ${name}, ${n}×${d}`, () => {
      const pts = points(n, d, n + d, opts);
      for (const k of [1, 5]) {
        const want = naive(pts, d, k);
        same(bruteForceKNearestOfEach(pts, d, k), want);
        // A block size that does not divide the queries, and the eight-wide tail.
        same(bruteForceKNearestOfEach(pts, d, k, { blockSize: 13 }), want);
        same(kNearestNeighbours(pts, d, k, { method: 'kd-tree' }), want);
        same(kNearestNeighbours(pts, d, k, { method: 'projected-tree' }), want);
        same(projectedKNearestOfEach(pts, d, k, { probe: false }), want);
        // Fewer components (weaker bounds, more exact distances) and tiny leaves: still the same answer.
        same(projectedKNearestOfEach(pts, d, k, { components: 2, leafSize: 1, probe: false }), want);
        same(kNearestNeighbours(pts, d, k), want);
      }
    });
  }

  it('projected tree on degenerate data: all rows equal, and rows on a 2-d plane in 40 dimensions', () => {
    const d = 40;
    const equal = new Float64Array(300 * d).fill(3.5);
    for (const k of [1, 5]) same(projectedKNearestOfEach(equal, d, k, { probe: false }), naive(equal, d, k));
    const rng = seededRandom(4);
    const plane = new Float64Array(400 * d);
    for (let i = 0; i < 400; i++) {
      const a = Math.floor(rng.next() * 5);
      const b = rng.next();
      for (let j = 0; j < d; j++) plane[i * d + j] = a * Math.sin(j) + b * Math.cos(3 * j);
    }
    for (const k of [1, 5]) same(projectedKNearestOfEach(plane, d, k, { probe: false }), naive(plane, d, k));
  });

  it('points far from the origin, close to each other: where the norm form cancels entirely', () => {
    // ‖x‖² ≈ 10¹⁵ while neighbours are 10⁻² apart: the norm form alone cannot tell them apart.
    const d = 20;
    const pts = points(500, d, 9, { grid: 4 }).map((v, i) => (i % d < 5 ? 1e7 + v / 100 : v));
    for (const k of [1, 5]) {
      const want = naive(pts, d, k);
      same(bruteForceKNearestOfEach(pts, d, k), want);
      same(projectedKNearestOfEach(pts, d, k, { probe: false }), want);
    }
  });

  it('projected tree: neighbours closer than the rounding error of their projections', () => {
    // 10¹² from the origin, 2⁻¹³ (the spacing of doubles there) to a few of it apart: each projection
    // w·x is off by about 10⁻⁴·√d, as much as the distances, so only the rounding margins keep it exact.
    const d = 24;
    const rng = seededRandom(12);
    const pts = new Float64Array(400 * d);
    for (let i = 0; i < pts.length; i++) pts[i] = 1e12 + Math.floor(rng.next() * 4) * 2 ** -13;
    for (const k of [1, 5])
      same(projectedKNearestOfEach(pts, d, k, { components: 4, probe: false }), naive(pts, d, k));
  });

  it('float32 points give the neighbours of the same values in float64', () => {
    const d = 30;
    const pts = Float32Array.from(points(400, d, 5, { grid: 3, heavy: true }));
    const want = naive(Float64Array.from(pts), d, 5);
    same(bruteForceKNearestOfEach(pts, d, 5), want);
    same(projectedKNearestOfEach(pts, d, 5, { probe: false }), want);
  });

  it('a subset of rows (one class) and a range of its queries', () => {
    const d = 32;
    const pts = points(900, d, 8, { grid: 3 });
    const subset = Array.from({ length: 900 }, (_, i) => i).filter((i) => i % 3 !== 1);
    const want = naive(pts, d, 5, subset);
    const got = bruteForceKNearestOfEach(pts, d, 5, { indices: subset, queryStart: 100, queryEnd: 350 });
    expect(Array.from(got.indices)).toEqual(Array.from(want.indices.subarray(500, 1750)));
    const tree = kNearestNeighbours(pts, d, 5, {
      indices: subset,
      method: 'kd-tree',
      queryStart: 100,
      queryEnd: 350,
    });
    expect(Array.from(tree.indices)).toEqual(Array.from(want.indices.subarray(500, 1750)));
    const projected = projectedKNearestOfEach(pts, d, 5, {
      indices: subset,
      queryStart: 100,
      queryEnd: 350,
      probe: false,
    });
    expect(Array.from(projected.indices)).toEqual(Array.from(want.indices.subarray(500, 1750)));
    expect(Array.from(projected.sqDistances)).toEqual(Array.from(want.sqDistances.subarray(500, 1750)));
  });

  it('refuses NaN, too few points and a bad range', () => {
    expect(() => bruteForceKNearestOfEach(Float64Array.from([0, NaN, 1, 1, 2, 2]), 2, 1)).toThrow(/NaN/);
    expect(() => bruteForceKNearestOfEach(new Float64Array(6), 2, 3)).toThrow(/at least 4 points/);
    expect(() => bruteForceKNearestOfEach(new Float64Array(8), 2, 1, { queryEnd: 5 })).toThrow(/range/);
    expect(() => projectedKNearestOfEach(Float64Array.from([0, NaN, 1, 1, 2, 2]), 2, 1)).toThrow(/NaN/);
    expect(() => projectedKNearestOfEach(new Float64Array(6), 2, 3)).toThrow(/at least 4 points/);
    expect(() => projectedKNearestOfEach(new Float64Array(8), 2, 1, { queryEnd: 5 })).toThrow(/range/);
  });

  it('auto: the k-d tree up to 15 dimensions, the projected tree from 16', () => {
    expect(resolveNeighbourMethod('auto', 15)).toBe('kd-tree');
    expect(resolveNeighbourMethod('auto', 16)).toBe('projected-tree');
    expect(resolveNeighbourMethod('kd-tree', 125)).toBe('kd-tree');
  });
});

describe('neighbour search on the worker pool', () => {
  const pools = [new WorkerPool({ size: 1 }), new WorkerPool({ size: 2 })];
  afterAll(() => Promise.all(pools.map((p) => p.close())));

  it('the same neighbours with 1 and 2 workers as in this thread, and the same SMOTE-Tomek rows', async () => {
    const d = 40;
    const n = 5_000;
    const pts = points(n, d, 21, { grid: 3, sparse: 0.6, heavy: true });
    const subset = Int32Array.from({ length: n }, (_, i) => i).filter((i) => i % 4 === 0);
    const local = kNearestNeighbours(pts, d, 5, { indices: subset });
    for (const pool of pools) {
      // Shares of 500 queries: the 2-worker pool cuts the search in four.
      const search = poolNeighbourSearch(pool, { minShare: 500 });
      same(await search(pts, d, 5, subset), local);
      same(await search(pts, d, 1), kNearestNeighbours(pts, d, 1));
      const projected = poolNeighbourSearch(pool, { minShare: 500, method: 'projected-tree' });
      same(await projected(pts, d, 5, subset), local);
      same(await projected(pts, d, 1), kNearestNeighbours(pts, d, 1, { method: 'brute-force' }));
    }

    const y = Uint8Array.from({ length: n }, (_, i) => (i % 4 === 0 || i % 7 === 0 ? 1 : 0));
    const inThread = smoteTomek(pts, y, { cols: d, k: 5, seed: 3 });
    const viaLocal = await smoteTomekWith(pts, y, { cols: d, k: 5, seed: 3 }, localNeighbourSearch());
    expect(viaLocal.report).toEqual(inThread.report);
    for (const pool of pools) {
      const out = await smoteTomekWith(
        pts,
        y,
        { cols: d, k: 5, seed: 3 },
        poolNeighbourSearch(pool, { minShare: 500 }),
      );
      expect(out.report).toEqual(inThread.report);
      expect(Array.from(out.X)).toEqual(Array.from(inThread.X));
      expect(Array.from(out.y)).toEqual(Array.from(inThread.y));
    }
    expect(inThread.report.synthetic).toBeGreaterThan(1_000);
  }, 120_000);

  it('a worker-side failure comes back as the preprocessing error', async () => {
    await expect(
      poolNeighbourSearch(pools[1]!)(new Float64Array(6), 2, 5, Int32Array.from([0, 1])),
    ).rejects.toMatchObject({ code: 'NOT_ENOUGH_SAMPLES' });
  });
});
