import { describe, expect, it } from 'vitest';
import { Metrics } from '../metrics/metrics';
import { Progress } from './progress';

describe('Progress', () => {
  it('logs at most once per interval with rate and time left, and keeps the gauges current', async () => {
    let now = 0;
    const lines: { bindings: Record<string, unknown>; message: string }[] = [];
    const metrics = new Metrics({ service: 'transform', defaultMetrics: false });
    const progress = new Progress({
      stage: 'transform',
      logger: { info: (bindings, message) => lines.push({ bindings, message }) },
      metrics,
      bindings: { runId: 'run-1' },
      intervalMs: 5_000,
      now: () => now,
    });
    const phase = progress.phase('encode', 100_000);
    for (let i = 1; i <= 20; i++) {
      now += 1_000; // 20 s, 5,000 rows a second
      phase.advance(5_000);
    }
    phase.finish();
    // 20 s of work, one line every 5 s at most (t = 5, 10, 15, 20) and the closing line.
    expect(lines.length).toBe(5);
    expect(lines[0]!.bindings).toMatchObject({
      runId: 'run-1',
      phase: 'encode',
      done: 25_000,
      total: 100_000,
      ratePerSecond: 5_000,
      etaSeconds: 15,
    });
    expect(lines.at(-1)!.message).toBe('encode done');
    expect(lines.at(-1)!.bindings).toMatchObject({ done: 100_000, seconds: 20 });
    const text = await metrics.registry.metrics();
    expect(text).toMatch(
      /netsentry_stage_progress_ratio\{[^}]*stage="transform"[^}]*phase="encode"[^}]*\} 1/,
    );

    // A phase quicker than one interval writes nothing.
    const quick = progress.phase('fit', 10);
    now += 100;
    quick.finish();
    expect(lines.length).toBe(5);
  });
});
