import type { EventByTopic } from '@netsentry/contracts';
import { Metrics } from '@netsentry/observability';
import { StageHarness, pollDuring, readinessProbeTimeoutMs } from '@netsentry/testkit';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Transform keeps answering /readyz while it works on NSL-KDD (KDDTest+, SMOTE-Tomek forced so both
// neighbour searches run): ingestion and validation run on one topic prefix to produce the validated
// splits; transform alone runs on a branch with its own prefix, and the test hands it data.validated and
// polls its /readyz every 200 ms until data.transformed. The fit, the encoding and the searches run on
// worker threads; the event loop only reads, writes and coordinates.

// The branch carries the upstream's variables (NETSENTRY_TRANSFORM_RESAMPLING) into transform's environment.
const upstream = new StageHarness('ready-up', { env: { NETSENTRY_TRANSFORM_RESAMPLING: 'smote-tomek' } });
const own = upstream.branch({ NETSENTRY_TOPIC_PREFIX: `ready-tf-${randomUUID().slice(0, 8)}` });

beforeAll(async () => {
  await upstream.open();
  await upstream.startStages(['ingestion', 'validation']);
}, 120_000);

afterAll(() => upstream.close());

describe('transform /readyz during its work', () => {
  it("answers every poll within the readiness probe's timeout while transforming NSL-KDD, and reports progress", async () => {
    await upstream.loadBundled('nsl-kdd');
    const runId = await upstream.retrain('nsl-kdd', 'transform readiness test');
    const [validated] = await upstream.untilEvents('data.validated', (e) => e.envelope.runId === runId, {
      timeoutMs: 300_000,
    });
    const [app] = await own.startStages(['transform']);
    const url = `${await app!.getUrl()}/readyz`;
    const event: EventByTopic['data.validated'] = {
      ...validated!,
      envelope: { ...validated!.envelope, eventId: randomUUID() },
    };
    const started = performance.now();
    const { out, answers } = await pollDuring(
      url,
      (async () => {
        await own.publish('data.validated', event);
        const [transformed] = await own.untilEvents('data.transformed', (e) => e.envelope.runId === runId, {
          timeoutMs: 540_000,
          readTimeoutMs: 30_000,
        });
        return transformed!;
      })(),
    );
    const seconds = (performance.now() - started) / 1000;
    expect(out.resampling).toBe('SMOTE_TOMEK');
    expect(out.classCountsBefore['0']! + out.classCountsBefore['1']!).toBe(validated!.dataset.train.rowCount);

    const times = answers.map((a) => a.ms).sort((a, b) => a - b);
    // One answer every 200 ms plus its own time: at least 2 a second over the whole run.
    expect(answers.length).toBeGreaterThan(seconds * 2);
    expect(answers.filter((a) => a.status !== 200)).toEqual([]);
    // Within the deployment's readiness probe timeout (deploy/k8s: 3 s), with the whole suite sharing the
    // machine's two cores.
    expect(times.at(-1)!).toBeLessThan(readinessProbeTimeoutMs('transform'));

    const exposition = await app!.get(Metrics).registry.metrics();
    for (const phase of ['fit', 'encode', 'smote-neighbours', 'tomek-neighbours']) {
      expect(exposition).toMatch(
        new RegExp(`netsentry_stage_progress_ratio\\{[^}]*stage="transform"[^}]*phase="${phase}"[^}]*\\} 1`),
      );
    }
    console.log(
      `transform readiness IT: ${out.featureCount} features, ${seconds.toFixed(1)} s data.validated → data.transformed; /readyz ${answers.length} answers, median ${times[Math.floor(times.length / 2)]!.toFixed(1)} ms, p95 ${times[Math.floor(times.length * 0.95)]!.toFixed(1)} ms, max ${times.at(-1)!.toFixed(1)} ms`,
    );
  }, 900_000);
});
