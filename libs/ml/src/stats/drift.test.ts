import { describe, expect, it } from 'vitest';
import type { Column, Frame } from '../frame';
import { seededRandom } from '../random';
import { detectDrift } from './drift';
import { StatsError } from './errors';
import { profileFrame, type DatasetProfile } from './profile';

function normals(n: number, seed: number, mean = 0, sd = 1): Float64Array {
  const r = seededRandom(seed);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const u = 1 - r.next();
    out[i] = mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r.next());
  }
  return out;
}

function categories(n: number, seed: number, weights: Record<string, number>): (string | null)[] {
  const r = seededRandom(seed);
  const keys = Object.keys(weights);
  const total = Object.values(weights).reduce((s, w) => s + w, 0);
  return Array.from({ length: n }, () => {
    let u = r.next() * total;
    for (const k of keys) if ((u -= weights[k]!) < 0) return k;
    return keys[keys.length - 1]!;
  });
}

function frame(
  n: number,
  seed: number,
  opts: { shift?: number; proto?: Record<string, number> } = {},
): Frame {
  const columns: Column[] = [
    { kind: 'numeric', name: 'duration', values: normals(n, seed, opts.shift ?? 0) },
    { kind: 'numeric', name: 'src_bytes', values: normals(n, seed + 1, 100, 15) },
    {
      kind: 'numeric',
      name: 'flag_code',
      values: Float64Array.from(categories(n, seed + 2, { '-1': 1, '0': 1, '1': 2 }), Number),
    },
    {
      kind: 'categorical',
      name: 'protocol_type',
      values: categories(n, seed + 3, opts.proto ?? { tcp: 6, udp: 3, icmp: 1 }),
    },
  ];
  return { rows: n, columns };
}

const roundTrip = (p: DatasetProfile): DatasetProfile => JSON.parse(JSON.stringify(p)) as DatasetProfile;

describe('detectDrift', () => {
  it('identical data: nothing drifts', () => {
    const f = frame(5000, 1);
    const report = detectDrift(f, f);
    expect(report.driftedColumns).toEqual([]);
    expect(report.datasetDrift).toBe(false);
    expect(report.columns.map((c) => c.method)).toEqual([
      'wasserstein',
      'wasserstein',
      'jensenshannon',
      'jensenshannon',
    ]);
  });

  it('two samples of the same distribution: nothing drifts (large and small references)', () => {
    expect(detectDrift(frame(5000, 1), frame(5000, 100)).driftedColumns).toEqual([]);
    const small = detectDrift(frame(800, 1), frame(800, 100));
    expect(small.columns.map((c) => c.method)).toEqual(['ks', 'ks', 'chisquare', 'chisquare']);
    expect(small.driftedColumns).toEqual([]);
  });

  it('a +1 std shift on 5,000 rows drifts, with the column named in the reasons', () => {
    const report = detectDrift(frame(5000, 1), frame(5000, 2, { shift: 1 }));
    const duration = report.columns.find((c) => c.column === 'duration')!;
    expect(duration.method).toBe('wasserstein');
    expect(duration.drifted).toBe(true);
    expect(duration.statistic).toBeGreaterThan(0.9);
    expect(duration.detail).toMatch(
      /^wasserstein \(normed\) 0\.9\d+ >= 0\.1$|^wasserstein \(normed\) 1\.\d+ >= 0\.1$/,
    );
    expect(report.driftedColumns).toEqual(['duration']);
    expect(report.datasetDrift).toBe(false); // 1 of 4 < 0.5
    expect(report.reasons[0]).toContain('1 of 4 columns drifted');
    expect(report.reasons[0]).toContain('duration (wasserstein');
  });

  it('a small reference uses KS and words the p-value', () => {
    const report = detectDrift(frame(500, 1), frame(500, 2, { shift: 1 }));
    const duration = report.columns.find((c) => c.column === 'duration')!;
    expect(duration.method).toBe('ks');
    expect(duration.pValue).toBeLessThan(1e-10);
    expect(duration.detail).toMatch(/^ks p=\d\.\de-\d+ < 0\.05$/);
  });

  it('a new dominant category drifts the categorical column (large and small references)', () => {
    const proto = { tcp: 1, udp: 1, icmp: 1, sctp: 12 };
    for (const n of [5000, 600]) {
      const report = detectDrift(frame(n, 1), frame(n, 2, { proto }));
      const col = report.columns.find((c) => c.column === 'protocol_type')!;
      expect(col.method).toBe(n > 1000 ? 'jensenshannon' : 'chisquare');
      expect(col.drifted).toBe(true);
    }
  });

  it('dataset drift when the drifted share reaches datasetDriftShare, or a critical column drifts', () => {
    const ref = frame(5000, 1);
    const cur = frame(5000, 2, { shift: 1, proto: { tcp: 1, udp: 1, icmp: 8 } });
    const report = detectDrift(ref, cur);
    expect(report.driftedColumns).toEqual(['duration', 'protocol_type']);
    expect(report.shareDrifted).toBe(0.5);
    expect(report.datasetDrift).toBe(true);
    expect(report.reasons[0]).toMatch(/^2 of 4 columns drifted \(share 0\.5 >= 0\.5\)/);

    expect(detectDrift(ref, cur, { datasetDriftShare: 0.75 }).datasetDrift).toBe(false);
    const critical = detectDrift(ref, frame(5000, 2, { shift: 1 }), { criticalColumns: ['duration'] });
    expect(critical.datasetDrift).toBe(true);
    expect(critical.criticalDrifted).toEqual(['duration']);
    expect(critical.reasons).toContain(`critical column duration drifted: ${critical.columns[0]!.detail}`);
  });

  it('per-column overrides of method and threshold; PSI as an option; ignored and absent columns', () => {
    const ref = frame(5000, 1);
    const cur = frame(5000, 2, { shift: 0.05 });
    const report = detectDrift(ref, cur, {
      columns: {
        duration: { method: 'ks', threshold: 0.01 },
        src_bytes: { method: 'psi' },
        flag_code: { ignore: true },
      },
    });
    const byName = new Map(report.columns.map((c) => [c.column, c]));
    expect(byName.get('duration')!.method).toBe('ks');
    expect(byName.get('duration')!.threshold).toBe(0.01);
    expect(byName.get('src_bytes')!.method).toBe('psi');
    expect(byName.get('src_bytes')!.drifted).toBe(false);
    expect(report.skipped).toEqual([{ column: 'flag_code', reason: 'ignored by policy' }]);

    const missing = detectDrift(
      ref,
      { rows: 10, columns: [ref.columns[0]!] },
      { criticalColumns: ['src_bytes'] },
    );
    expect(missing.skipped.map((s) => s.column)).toEqual(['src_bytes', 'flag_code', 'protocol_type']);
    expect(missing.reasons).toContain(
      'critical column src_bytes was not tested: absent from the current data',
    );
  });

  it('refuses a bad policy with a typed error', () => {
    const f = frame(100, 1);
    expect(() => detectDrift(f, f, { datasetDriftShare: 0 })).toThrow(StatsError);
    expect(() => detectDrift(f, f, { columns: { duration: { method: 'nope' as 'ks' } } })).toThrow(
      /unknown drift method/,
    );
  });

  it('a profile round-tripped through JSON gives the same verdicts as the frame it came from', () => {
    for (const [n, shift] of [
      [5000, 1],
      [5000, 0],
      [800, 0.3],
      [20000, 0.2],
    ] as const) {
      const ref = frame(n, 11);
      const cur = frame(3000, 12, { shift, proto: shift > 0.25 ? { tcp: 1, udp: 5, icmp: 1 } : undefined });
      const fromFrame = detectDrift(ref, cur);
      const fromProfile = detectDrift(roundTrip(profileFrame(ref)), cur);
      expect(fromProfile.driftedColumns).toEqual(fromFrame.driftedColumns);
      expect(fromProfile.datasetDrift).toBe(fromFrame.datasetDrift);
      for (let i = 0; i < fromFrame.columns.length; i++) {
        const a = fromFrame.columns[i]!;
        const b = fromProfile.columns[i]!;
        expect(b.method).toBe(a.method);
        // Small references are kept whole: identical figures. Larger ones: a 1000-value sample stands in.
        if (n <= 1000 || a.method === 'jensenshannon') expect(b.statistic).toBeCloseTo(a.statistic, 12);
        else expect(Math.abs(b.statistic - a.statistic)).toBeLessThan(0.02);
      }
    }
  });

  it('the report is JSON-serialisable', () => {
    const report = detectDrift(frame(300, 1), frame(300, 2, { shift: 1 }));
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
  });
});

describe('detectDrift on a high-cardinality categorical column', () => {
  // The integration test's column: 4,000 rows, e0..e19 frequent, 480 rare values, split 80/20 at random.
  function endpoints(rows: number, seed: number, shifted = false): Frame {
    const r = seededRandom(seed);
    const values = Array.from({ length: rows }, (_, i) => {
      if (shifted && r.next() < 0.5) return 'e0'; // half the traffic to one endpoint: a real shift
      return `e${i < rows / 2 ? i % 20 : i % 500}`;
    });
    return { rows, columns: [{ kind: 'categorical', name: 'endpoint', values }] };
  }
  function randomSplit(f: Frame, seed: number): { train: Frame; test: Frame } {
    const r = seededRandom(seed);
    const values = f.columns[0]!.values as (string | null)[];
    const side = values.map(() => r.next() < 0.2);
    const part = (test: boolean): Frame => {
      const kept = values.filter((_, i) => side[i] === test);
      return { rows: kept.length, columns: [{ kind: 'categorical', name: 'endpoint', values: kept }] };
    };
    return { train: part(false), test: part(true) };
  }
  const grouped = { columns: { endpoint: { categories: { maxCategories: 20 } } } };
  const column = (report: ReturnType<typeof detectDrift>) => report.columns[0]!;

  it('one bucket per value: a random split reads as drifted by Jensen–Shannon alone (sampling noise)', () => {
    const { train, test } = randomSplit(endpoints(4_000, 7), 11);
    const plain = column(detectDrift(train, test));
    expect(plain.method).toBe('jensenshannon');
    expect(plain.statistic).toBeGreaterThan(0.3);
    expect(plain.drifted).toBe(true);
  });

  it("after the encoder's grouping (max_categories: 20 + other), a random split does not drift", () => {
    for (const seed of [11, 12, 13, 14, 15]) {
      const { train, test } = randomSplit(endpoints(4_000, 7), seed);
      const col = column(detectDrift(train, test, grouped));
      expect(col.statistic).toBeLessThan(0.1);
      expect(col.drifted).toBe(false);
    }
  });

  it('with the significance check, a random split passes even without grouping; its detail says why', () => {
    for (const seed of [11, 12, 13, 14, 15]) {
      const { train, test } = randomSplit(endpoints(4_000, 7), seed);
      const col = column(detectDrift(train, test, { significance: 0.05 }));
      expect(col.drifted).toBe(false);
      expect(col.pValue).toBeGreaterThanOrEqual(0.05);
      expect(col.detail).toMatch(
        /jensen-shannon 0\.\d+ >= 0\.1, but chi-square p=.* >= 0\.05: within sampling noise/,
      );
    }
  });

  it('a real shift still drifts, grouped, with the significance check, and both', () => {
    const train = randomSplit(endpoints(4_000, 7), 11).train;
    const test = randomSplit(endpoints(4_000, 8, true), 11).test;
    for (const policy of [grouped, { significance: 0.05 }, { ...grouped, significance: 0.05 }]) {
      const col = column(detectDrift(train, test, policy));
      expect(col.statistic).toBeGreaterThanOrEqual(0.1);
      expect(col.drifted).toBe(true);
    }
  });

  it('groups as the encoder does: the kept categories, the rest and unseen values in one bucket', () => {
    const ref: Frame = {
      rows: 10,
      columns: [
        { kind: 'categorical', name: 'c', values: ['a', 'a', 'a', 'a', 'b', 'b', 'b', 'c', 'd', null] },
      ],
    };
    const cur: Frame = {
      rows: 4,
      columns: [{ kind: 'categorical', name: 'c', values: ['a', 'c', 'z', 'z'] }],
    };
    const report = detectDrift(ref, cur, {
      columns: { c: { method: 'chisquare', categories: { maxCategories: 2 } } },
    });
    // Buckets a, b, other: reference [4, 3, 2], current [1, 0, 3] → chi-square over 3 buckets (dof 2).
    const col = column(report);
    expect(col.method).toBe('chisquare');
    expect(col.statistic).toBeCloseTo(
      // Pearson's statistic on [[4,3,2],[1,0,3]] computed by hand.
      (4 - (5 * 9) / 13) ** 2 / ((5 * 9) / 13) +
        (3 - (3 * 9) / 13) ** 2 / ((3 * 9) / 13) +
        (2 - (5 * 9) / 13) ** 2 / ((5 * 9) / 13) +
        (1 - (5 * 4) / 13) ** 2 / ((5 * 4) / 13) +
        (0 - (3 * 4) / 13) ** 2 / ((3 * 4) / 13) +
        (3 - (5 * 4) / 13) ** 2 / ((5 * 4) / 13),
      10,
    );
  });

  it('refuses a significance level outside (0, 1]', () => {
    const f = endpoints(100, 1);
    expect(() => detectDrift(f, f, { significance: 0 })).toThrow(StatsError);
  });
});
