import { profileFrame, type Frame } from '@netsentry/ml';
import { describe, expect, it } from 'vitest';
import type { InferenceSettings } from '../inference.config';
import { DriftWatch } from './drift-watch';

const SETTINGS: InferenceSettings['drift'] = {
  enabled: true,
  windowSize: 200,
  numericThreshold: 0.1,
  categoricalThreshold: 0.1,
  shareThreshold: 0.5,
  evaluateEveryMs: 1_000,
  retrain: true,
  cooldownMs: 60 * 60_000,
};
const PRODUCER = { service: 'inference', version: 'test' };
const SECRET = 'a'.repeat(64);

/** `n` rows of one categorical column: `share` of them 'a', the rest 'b'. */
function frame(n: number, share: number): Frame {
  const values = Array.from({ length: n }, (_, i) => (i < Math.round(n * share) ? 'a' : 'b'));
  return { rows: n, columns: [{ kind: 'categorical', name: 'proto', values }] };
}

const model = { version: 'm-1', bundle: { referenceProfile: profileFrame(frame(2_000, 0.5)) } };
const times = (n: number, at: number): number[] => Array.from({ length: n }, () => at);

describe('DriftWatch', () => {
  it('evaluates a burst that arrives within one interval of the last evaluation once a whole window of it is in', () => {
    const watch = new DriftWatch(SETTINGS, PRODUCER, 'phishing', SECRET);
    const t0 = 1_000_000;
    // normal traffic: evaluated, not drifted
    expect(watch.observe(model, frame(200, 0.5), times(200, t0), t0).report?.drifted).toBe(false);
    // 100 ms later a drifted burst, smaller than a window: not evaluated yet (the interval holds)
    expect(watch.observe(model, frame(100, 1), times(100, t0 + 100), t0 + 100)).toEqual({
      report: null,
      emission: null,
    });
    // the rest of the burst, 200 ms after the last evaluation: a window of new records is in → evaluated
    const out = watch.observe(model, frame(150, 1), times(150, t0 + 200), t0 + 200);
    expect(out.report?.drifted).toBe(true);
    expect(out.emission?.decision.action).toBe('RETRAIN_REQUESTED');
    expect(out.emission?.retrain).toMatchObject({
      command: 'RETRAIN',
      datasetName: 'phishing',
      requestedBy: 'inference',
    });
    // and only one RETRAIN per cooldown, however long it stays drifted
    for (let i = 1; i <= 5; i++) {
      const later = watch.observe(
        model,
        frame(200, 1),
        times(200, t0 + 200 + i * 1_000),
        t0 + 200 + i * 1_000,
      );
      expect(later.emission?.retrain ?? null).toBeNull();
    }
  });

  it('waits out the interval for less than a window of new records', () => {
    const watch = new DriftWatch(SETTINGS, PRODUCER, 'phishing', SECRET);
    const t0 = 1_000_000;
    watch.observe(model, frame(200, 0.5), times(200, t0), t0);
    expect(watch.observe(model, frame(50, 0.5), times(50, t0 + 10), t0 + 10).report).toBeNull();
    expect(watch.observe(model, frame(50, 0.5), times(50, t0 + 1_000), t0 + 1_000).report).not.toBeNull();
  });
});
