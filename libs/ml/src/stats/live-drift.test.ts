import { createReadStream } from 'node:fs';
import { resolve } from 'node:path';
import { loadDatasetSchema } from '@netsentry/dataset';
import { describe, expect, it } from 'vitest';
import { readLabelledFrame } from '../dataset-frame';
import { takeRows, type Column, type Frame } from '../frame';
import { seededRandom } from '../random';
import { detectDrift } from './drift';
import { StatsError } from './errors';
import { jensenShannonDistance } from './jensen-shannon';
import {
  DriftRetrainPolicy,
  LiveDriftMonitor,
  decideDriftAction,
  type DriftAction,
  type LiveDriftReport,
} from './live-drift';
import { profileFrame, type CategoricalColumnProfile, type NumericColumnProfile } from './profile';
import { psi } from './psi';
import { histogramCounts } from './summary';

const root = resolve(__dirname, '../../../..');

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

/** 30 services with Zipf-like weights: a profile keeping the top 10 has an `otherCount`. */
const SERVICES = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`svc${i}`, 1 / (i + 1)]));
const PROTO = { tcp: 6, udp: 3, icmp: 1 };

interface Shape {
  shift?: number;
  proto?: Record<string, number>;
  /** Share of `bytes` values replaced by NaN. */
  bytesMissing?: number;
}

function traffic(n: number, seed: number, shape: Shape = {}): Frame {
  const bytes = normals(n, seed + 1, 100, 15);
  if (shape.bytesMissing) {
    const r = seededRandom(seed + 9);
    for (let i = 0; i < n; i++) if (r.next() < shape.bytesMissing) bytes[i] = NaN;
  }
  const columns: Column[] = [
    { kind: 'numeric', name: 'duration', values: normals(n, seed, shape.shift ?? 0) },
    { kind: 'numeric', name: 'bytes', values: bytes },
    {
      kind: 'numeric',
      name: 'code',
      values: Float64Array.from(categories(n, seed + 2, { '-1': 1, '0': 1, '1': 2 }), Number),
    },
    { kind: 'categorical', name: 'protocol', values: categories(n, seed + 3, shape.proto ?? PROTO) },
    { kind: 'categorical', name: 'service', values: categories(n, seed + 4, SERVICES) },
  ];
  return { rows: n, columns };
}

const REFERENCE = traffic(50_000, 1);
const PROFILE = profileFrame(REFERENCE, undefined, { topCategories: 10 });

const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);

/** Concatenates frames of the same columns (the stream as one frame). */
function concat(frames: readonly Frame[]): Frame {
  const first = frames[0]!;
  return {
    rows: frames.reduce((s, f) => s + f.rows, 0),
    columns: first.columns.map((c, j): Column => {
      if (c.kind === 'numeric') {
        const parts = frames.map((f) => f.columns[j]!.values as Float64Array);
        const out = new Float64Array(parts.reduce((s, p) => s + p.length, 0));
        let at = 0;
        for (const p of parts) out.set(p, (at += p.length) - p.length);
        return { kind: 'numeric', name: c.name, values: out };
      }
      return {
        kind: 'categorical',
        name: c.name,
        values: frames.flatMap((f) => f.columns[j]!.values as (string | null)[]),
      };
    }),
  };
}

/** Feeds `frame` to the monitor in batches of the given sizes (cycled). */
function feed(monitor: LiveDriftMonitor, frame: Frame, sizes: readonly number[] = [1000]): void {
  let at = 0;
  for (let b = 0; at < frame.rows; b++) {
    const size = Math.min(sizes[b % sizes.length]!, frame.rows - at);
    monitor.observe(takeRows(frame, range(at, at + size)));
    at += size;
  }
}

/** Independent bucket counts of a column of `rows` (the last window), the way the report should see them. */
function expectedBuckets(frame: Frame, name: string): number[] {
  const col = frame.columns.find((c) => c.name === name)!;
  const p = PROFILE.columns.find((c) => c.name === name)!;
  if (col.kind === 'numeric') {
    const np = p as NumericColumnProfile;
    const missing = col.values.filter((v) => Number.isNaN(v)).length;
    return [...histogramCounts(np.histogram.edges, col.values), missing];
  }
  const cp = p as CategoricalColumnProfile;
  const top = cp.categories.map((c) => c.value);
  const counts = top.map((v) => col.values.filter((x) => x === v).length);
  const missing = col.values.filter((x) => x === null).length;
  return [...counts, col.values.length - missing - counts.reduce((s, c) => s + c, 0), missing];
}

const byName = (r: LiveDriftReport, name: string) => r.features.find((f) => f.feature === name)!;
const drifted = (r: LiveDriftReport): string[] => r.features.filter((f) => f.drifted).map((f) => f.feature);

describe('LiveDriftMonitor', () => {
  it('a window drawn from the reference distribution does not drift; nothing is reported before minRecords', () => {
    const m = new LiveDriftMonitor(PROFILE);
    expect(m.options).toMatchObject({
      windowSize: 5000,
      minRecords: 5000,
      numericThreshold: 0.1,
      categoricalThreshold: 0.1,
      categoricalStatistic: 'js',
      shareThreshold: 0.5,
    });
    const live = traffic(5000, 2);
    m.observe(takeRows(live, range(0, 4999)));
    expect(m.windowRows).toBe(4999);
    expect(m.evaluate()).toBeNull();
    m.observe(takeRows(live, [4999]));
    const r = m.evaluate()!;
    expect(r.windowSize).toBe(5000);
    expect(r.features.map((f) => [f.feature, f.statistic])).toEqual([
      ['duration', 'psi'],
      ['bytes', 'psi'],
      ['code', 'psi'],
      ['protocol', 'js'],
      ['service', 'js'],
    ]);
    expect(drifted(r)).toEqual([]);
    // Far from the threshold, not just under it: sampling noise alone is a small fraction of 0.1.
    for (const f of r.features) expect(f.value).toBeLessThan(f.threshold / 2);
    expect(r).toMatchObject({ shareDrifted: 0, drifted: false, windowStart: null, windowEnd: null });
    expect(r.skipped).toEqual([]);
  });

  it('names a shifted numeric column and a changed categorical mix; the share rule decides dataset drift', () => {
    const live = traffic(5000, 3, { shift: 0.5, proto: { tcp: 2, udp: 3, icmp: 5 } });
    const m = new LiveDriftMonitor(PROFILE);
    feed(m, live, [777]);
    const r = m.evaluate()!;
    expect(drifted(r)).toEqual(['duration', 'protocol']);
    expect(r.shareDrifted).toBe(2 / 5);
    expect(r.drifted).toBe(false);
    const strict = new LiveDriftMonitor(PROFILE, { shareThreshold: 0.4 });
    feed(strict, live);
    expect(strict.evaluate()!.drifted).toBe(true);
    // A smaller shift stays under Evidently's 0.1 PSI
    const slight = new LiveDriftMonitor(PROFILE);
    feed(slight, traffic(5000, 3, { shift: 0.05 }));
    expect(byName(slight.evaluate()!, 'duration').drifted).toBe(false);
  });

  it('values equal psi() and the JS distance computed directly from the last window of rows', () => {
    const stream = concat([traffic(3000, 4), traffic(4000, 5, { shift: 0.3, bytesMissing: 0.02 })]);
    const m = new LiveDriftMonitor(PROFILE, { windowSize: 5000 });
    feed(m, stream, [1, 999, 1234, 50, 2500]);
    const r = m.evaluate()!;
    const window = takeRows(stream, range(stream.rows - 5000, stream.rows));
    for (const p of PROFILE.columns) {
      const expected = expectedBuckets(window, p.name);
      expect(m.buckets(p.name).window).toEqual(expected);
      const reference =
        p.kind === 'numeric'
          ? [...p.histogram.counts, p.missing]
          : [...p.categories.map((c) => c.count), p.otherCount, p.missing];
      expect(m.buckets(p.name).reference).toEqual(reference);
      const value =
        p.kind === 'numeric' ? psi(reference, expected) : jensenShannonDistance(reference, expected, Math.E);
      expect(byName(r, p.name).value).toBe(value);
    }
  });

  it('with missing ignored, matches detectDrift on the same window (PSI for numeric, Evidently JS for categorical)', () => {
    const live = traffic(5000, 6, { shift: 0.2, proto: { tcp: 5, udp: 4, icmp: 1 } });
    const m = new LiveDriftMonitor(PROFILE, { missing: 'ignore' });
    feed(m, live);
    const r = m.evaluate()!;
    const batch = detectDrift(PROFILE, live, {
      defaultMethod: { numeric: 'psi', categorical: 'jensenshannon' },
    });
    // `code` has 3 distinct values, which detectDrift compares value by value rather than by histogram bin
    for (const name of ['duration', 'bytes', 'protocol', 'service']) {
      const c = batch.columns.find((x) => x.column === name)!;
      expect(byName(r, name).value).toBeCloseTo(c.statistic, 12);
      expect(byName(r, name).drifted).toBe(c.drifted);
    }
  });

  it('the window slides: after windowSize new rows only the new ones count, whatever the batch sizes', () => {
    const m = new LiveDriftMonitor(PROFILE, { windowSize: 2000 });
    const shifted = traffic(3000, 7, { shift: 1, proto: { icmp: 1 } });
    feed(m, shifted, [333]);
    expect(drifted(m.evaluate()!)).toEqual(['duration', 'protocol']);
    const normal = traffic(2000, 8);
    feed(m, takeRows(normal, range(0, 1999)), [450]);
    // one shifted row is left: still in the counts
    expect(m.buckets('protocol').window[m.buckets('protocol').labels.indexOf('icmp')]).toBe(
      1 + expectedBuckets(takeRows(normal, range(0, 1999)), 'protocol')[2]!,
    );
    feed(m, takeRows(normal, [1999]));
    const r = m.evaluate()!;
    expect(m.windowRows).toBe(2000);
    expect(drifted(r)).toEqual([]);
    for (const p of PROFILE.columns)
      expect(m.buckets(p.name).window).toEqual(expectedBuckets(normal, p.name));
    // A batch larger than the window replaces it outright.
    m.observe(concat([traffic(500, 9), shifted]));
    for (const p of PROFILE.columns) {
      expect(m.buckets(p.name).window).toEqual(expectedBuckets(takeRows(shifted, range(1000, 3000)), p.name));
    }
  });

  it('missing values: a feature that starts arriving empty drifts; ignored, only its values count', () => {
    const live = traffic(5000, 10, { bytesMissing: 0.1 });
    const bucket = new LiveDriftMonitor(PROFILE);
    feed(bucket, live);
    expect(drifted(bucket.evaluate()!)).toEqual(['bytes']);
    const b = bucket.buckets('bytes');
    expect(b.window[b.labels.indexOf('missing')]).toBe(
      live.columns[1]!.values.filter((v) => Number.isNaN(v as number)).length,
    );
    const ignore = new LiveDriftMonitor(PROFILE, { missing: 'ignore' });
    feed(ignore, live);
    expect(drifted(ignore.evaluate()!)).toEqual([]);

    // A reference with missing values: the same missing share live does not drift, a larger one does.
    const refWithMissing = profileFrame(traffic(50_000, 11, { bytesMissing: 0.1 }));
    const same = new LiveDriftMonitor(refWithMissing, { columns: ['bytes'] });
    feed(same, traffic(5000, 12, { bytesMissing: 0.1 }));
    expect(same.evaluate()!.features[0]!.drifted).toBe(false);
    const more = new LiveDriftMonitor(refWithMissing, { columns: ['bytes'] });
    feed(more, traffic(5000, 12, { bytesMissing: 0.4 }));
    expect(more.evaluate()!.features[0]!.drifted).toBe(true);

    // Ignored and nothing but missing in the window: skipped with the reason, the share counts the rest.
    const empty = new LiveDriftMonitor(PROFILE, { missing: 'ignore', windowSize: 100 });
    feed(empty, traffic(100, 13, { bytesMissing: 1 }));
    const r = empty.evaluate()!;
    expect(r.features.map((f) => f.feature)).toEqual(['duration', 'code', 'protocol', 'service']);
    expect(r.skipped).toEqual([{ feature: 'bytes', reason: 'no values in the window (all missing)' }]);
  });

  it('unseen categories and categories beyond the top N go to the other bucket; a trickle does not drift, a flood does', () => {
    const base = traffic(5000, 14);
    const withUnseen = (share: number): Frame => {
      const r = seededRandom(15);
      const values = (base.columns[3]!.values as (string | null)[]).map((v) =>
        r.next() < share ? 'sctp' : v,
      );
      return {
        rows: base.rows,
        columns: base.columns.map((c, j) => (j === 3 ? { ...c, values } : c) as Column),
      };
    };
    const trickle = withUnseen(0.005);
    const m = new LiveDriftMonitor(PROFILE);
    feed(m, trickle);
    const b = m.buckets('protocol');
    expect(b.labels).toEqual(['tcp', 'udp', 'icmp', 'other', 'missing']);
    expect(b.reference[3]).toBe(0); // the reference never saw another protocol
    const unseen = (trickle.columns[3]!.values as (string | null)[]).filter((v) => v === 'sctp').length;
    expect(unseen).toBeGreaterThan(0);
    expect(b.window[3]).toBe(unseen);
    expect(byName(m.evaluate()!, 'protocol').drifted).toBe(false);
    const flood = new LiveDriftMonitor(PROFILE);
    feed(flood, withUnseen(0.3));
    expect(drifted(flood.evaluate()!)).toEqual(['protocol']);

    // service keeps its top 10: the reference's rarer services and live ones beyond them share `other`
    const s = m.buckets('service');
    expect(s.labels.slice(-2)).toEqual(['other', 'missing']);
    expect(s.reference[10]).toBe((PROFILE.columns[4] as CategoricalColumnProfile).otherCount);
    expect(s.reference[10]).toBeGreaterThan(0);
    expect(byName(m.evaluate()!, 'service').drifted).toBe(false);
  });

  it('window start and end are the earliest and latest observation times of the rows in the window', () => {
    const m = new LiveDriftMonitor(PROFILE, { windowSize: 4, minRecords: 1 });
    const rows = traffic(10, 16);
    const at = (from: number, to: number): Frame => takeRows(rows, range(from, to));
    m.observe(at(0, 3), [5000, 1000, 3000]);
    expect(m.evaluate()).toMatchObject({ windowSize: 3, windowStart: 1000, windowEnd: 5000 });
    m.observe(at(3, 5), [4000, NaN]); // row 0 (5000) leaves; a row without a time
    expect(m.evaluate()).toMatchObject({ windowSize: 4, windowStart: 1000, windowEnd: 4000 });
    m.observe(at(5, 7)); // rows 1 and 2 leave; the new rows have no time
    expect(m.evaluate()).toMatchObject({ windowStart: 4000, windowEnd: 4000 });
    m.observe(at(7, 9));
    expect(m.evaluate()).toMatchObject({ windowStart: null, windowEnd: null });
    m.observe(
      at(0, 10),
      range(0, 10).map((i) => 100 * i),
    );
    expect(m.evaluate()).toMatchObject({ windowStart: 600, windowEnd: 900 });
  });

  it('monitors a subset, skips columns without reference values, and refuses bad options and frames', () => {
    const sub = new LiveDriftMonitor(PROFILE, { columns: ['service', 'duration'], windowSize: 10 });
    expect(sub.features).toEqual(['service', 'duration']);
    // a frame may carry more columns than monitored ones, in any order
    sub.observe(traffic(10, 17));
    expect(sub.evaluate()!.features.map((f) => f.feature)).toEqual(['service', 'duration']);

    const emptyRef = profileFrame(concat([traffic(100, 18, { bytesMissing: 1 })]));
    const e = new LiveDriftMonitor(emptyRef, { missing: 'ignore', windowSize: 10 });
    expect(e.features).not.toContain('bytes');
    e.observe(traffic(10, 19));
    expect(e.evaluate()!.skipped).toEqual([
      { feature: 'bytes', reason: 'no values in the reference profile' },
    ]);

    const bad =
      (options: object): (() => void) =>
      () =>
        new LiveDriftMonitor(PROFILE, options);
    expect(bad({ columns: ['nope', 'duration'] })).toThrow(/columns not in the reference profile: nope/);
    expect(bad({ windowSize: 0 })).toThrow(StatsError);
    expect(bad({ windowSize: 10, minRecords: 11 })).toThrow(/minRecords/);
    expect(bad({ numericThreshold: -1 })).toThrow(/numericThreshold/);
    expect(bad({ shareThreshold: 0 })).toThrow(/shareThreshold/);
    expect(bad({ categoricalStatistic: 'chi2' })).toThrow(/categoricalStatistic/);
    expect(() => new LiveDriftMonitor({ columns: [] } as never)).toThrow(StatsError);

    const m = new LiveDriftMonitor(PROFILE, { windowSize: 10 });
    const f = traffic(5, 20);
    expect(() => m.observe({ rows: 5, columns: f.columns.slice(1) })).toThrow(/'duration' is missing/);
    const asCategorical: Column = {
      kind: 'categorical',
      name: 'duration',
      values: ['1', '2', '3', '4', '5'],
    };
    expect(() => m.observe({ rows: 5, columns: [asCategorical, ...f.columns.slice(1)] })).toThrow(
      /'duration' is categorical in the frame but numeric/,
    );
    expect(() => m.observe(f, [1, 2])).toThrow(/observedAt has 2 entries for 5 rows/);
    expect(m.windowRows).toBe(0);
    m.observe({ rows: 0, columns: [] });
    expect(m.windowRows).toBe(0);
  });

  it('phishing: a sample of the data itself does not drift; flipped SSL state and IP-address columns do', async () => {
    const schema = await loadDatasetSchema(resolve(root, 'data/schemas/phishing.yaml'));
    const { features } = await readLabelledFrame(
      schema,
      createReadStream(resolve(root, 'data/phishing.csv')),
    );
    const profile = profileFrame(features, schema);
    const r = seededRandom(21);
    const sample = takeRows(
      features,
      Array.from({ length: 5000 }, () => r.int(features.rows)),
    );
    const m = new LiveDriftMonitor(profile);
    expect(m.features).toHaveLength(30);
    feed(m, sample, [512]);
    const same = m.evaluate()!;
    expect(drifted(same)).toEqual([]);
    expect(same.features.map((f) => f.statistic)).toContain('js'); // binary columns are categorical

    const flipped: Frame = {
      rows: sample.rows,
      columns: sample.columns.map((c): Column => {
        if (c.name === 'SSLfinal_State' && c.kind === 'numeric') {
          return { ...c, values: c.values.map((v) => -v) };
        }
        if (c.name === 'having_IP_Address' && c.kind === 'categorical') {
          return { ...c, values: c.values.map((v) => (v === '1' ? '-1' : '1')) };
        }
        return c;
      }),
    };
    feed(m, flipped, [4096]);
    const after = m.evaluate()!;
    expect(drifted(after).sort()).toEqual(['SSLfinal_State', 'having_IP_Address']);
    expect(after.drifted).toBe(false); // 2 of 30
  });
});

describe('drift retrain policy', () => {
  const MIN = 60_000;
  const yes = { drifted: true };
  const no = { drifted: false };

  /** Runs evaluations at the given times through a policy, committing each decision. */
  function run(
    policy: DriftRetrainPolicy,
    steps: readonly [number, { drifted: boolean } | null][],
  ): { action: DriftAction; alert: boolean }[] {
    return steps.map(([now, report]) => {
      const d = policy.decide(report, now);
      policy.commit(d);
      return { action: d.action, alert: d.alert };
    });
  }

  it('a stream that stays drifted alerts once and requests exactly one retrain per cooldown', () => {
    const p = new DriftRetrainPolicy({ enabled: true, cooldownMs: 10 * MIN });
    const steps: [number, { drifted: boolean } | null][] = [
      [0, null],
      [1000, no],
    ];
    for (let t = 2000; t <= 25 * MIN; t += 1000) steps.push([t, yes]); // one evaluation a second
    const out = run(p, steps);
    const alerts = out.flatMap((o, i) => (o.alert ? [[steps[i]![0], o.action] as const] : []));
    expect(alerts).toEqual([
      [2000, 'RETRAIN_REQUESTED'],
      [2000 + 10 * MIN, 'RETRAIN_REQUESTED'], // still drifted a cooldown later: a reminder and a new retrain
      [2000 + 20 * MIN, 'RETRAIN_REQUESTED'],
    ]);
    expect(out.filter((o) => !o.alert).every((o) => o.action === 'NONE')).toBe(true);
    expect(p.state).toEqual({
      armed: false,
      lastAlertAt: 2000 + 20 * MIN,
      lastRetrainAt: 2000 + 20 * MIN,
      retrainDeferred: false,
    });
  });

  it('a flapping stream alerts on each crossing, but a second retrain within the cooldown is COOLDOWN', () => {
    const p = new DriftRetrainPolicy({ enabled: true, cooldownMs: 10 * MIN });
    const out = run(p, [
      [0, yes],
      [1 * MIN, yes],
      [2 * MIN, no],
      [3 * MIN, yes],
      [4 * MIN, no],
      [5 * MIN, yes],
      [11 * MIN, yes],
      [12 * MIN, no],
      [13 * MIN, yes],
    ]);
    expect(out).toEqual([
      { alert: true, action: 'RETRAIN_REQUESTED' },
      { alert: false, action: 'NONE' },
      { alert: false, action: 'NONE' },
      { alert: true, action: 'COOLDOWN' },
      { alert: false, action: 'NONE' },
      { alert: true, action: 'COOLDOWN' },
      // the drift held back at 5 min gets its retrain once the cooldown since the first one has passed
      { alert: true, action: 'RETRAIN_REQUESTED' },
      { alert: false, action: 'NONE' },
      { alert: true, action: 'COOLDOWN' },
    ]);
    expect(out.filter((o) => o.action === 'RETRAIN_REQUESTED')).toHaveLength(2);
  });

  it('disabled: ALERTED once per drift (and per cooldown), never a retrain', () => {
    const p = new DriftRetrainPolicy({ enabled: false, cooldownMs: 10 * MIN });
    expect(
      run(p, [
        [0, yes],
        [MIN, yes],
        [2 * MIN, no],
        [3 * MIN, yes],
        [13 * MIN, yes],
      ]),
    ).toEqual([
      { alert: true, action: 'ALERTED' },
      { alert: false, action: 'NONE' },
      { alert: false, action: 'NONE' },
      { alert: true, action: 'ALERTED' },
      { alert: true, action: 'ALERTED' },
    ]);
    expect(p.state.lastRetrainAt).toBeNull();
  });

  it('decide does not change the state until committed; a seeded last retrain keeps the cooldown across restarts', () => {
    const p = new DriftRetrainPolicy({ enabled: true, cooldownMs: 10 * MIN });
    const first = p.decide(yes, 0);
    expect(first.action).toBe('RETRAIN_REQUESTED');
    expect(p.decide(yes, 1).action).toBe('RETRAIN_REQUESTED'); // not committed (the transaction aborted)
    p.commit(p.decide(yes, 2));
    expect(p.decide(yes, 3)).toMatchObject({ alert: false, action: 'NONE' });

    const restarted = new DriftRetrainPolicy({ enabled: true, cooldownMs: 10 * MIN }, { lastRetrainAt: 2 });
    // drifted from the start: COOLDOWN, then silence, then the held-back retrain exactly when it is due
    expect(
      run(restarted, [
        [5 * MIN, yes],
        [10 * MIN + 1, yes],
        [10 * MIN + 2, yes],
        [11 * MIN, yes],
      ]),
    ).toEqual([
      { alert: true, action: 'COOLDOWN' },
      { alert: false, action: 'NONE' },
      { alert: true, action: 'RETRAIN_REQUESTED' },
      { alert: false, action: 'NONE' },
    ]);
    // a drift that ends before the cooldown does not leave a retrain behind
    const ended = new DriftRetrainPolicy({ enabled: true, cooldownMs: 10 * MIN }, { lastRetrainAt: 0 });
    expect(
      run(ended, [
        [MIN, yes],
        [2 * MIN, no],
        [11 * MIN, no],
      ]).map((o) => o.action),
    ).toEqual(['COOLDOWN', 'NONE', 'NONE']);
  });

  it('the pure function: a null report changes nothing; bad options and times are refused', () => {
    const state = { armed: false, lastAlertAt: 5, lastRetrainAt: 5, retrainDeferred: false };
    expect(decideDriftAction(state, null, 10, { enabled: true, cooldownMs: 0 })).toMatchObject({
      alert: false,
      action: 'NONE',
      state,
    });
    expect(decideDriftAction(state, no, 10, { enabled: true, cooldownMs: 1 }).state.armed).toBe(true);
    // a clock going backwards suppresses rather than repeats
    expect(decideDriftAction(state, yes, 0, { enabled: true, cooldownMs: 1 }).alert).toBe(false);
    expect(() => decideDriftAction(state, yes, NaN, { enabled: true, cooldownMs: 1 })).toThrow(StatsError);
    expect(() => new DriftRetrainPolicy({ enabled: true, cooldownMs: -1 })).toThrow(/cooldownMs/);
  });
});
