import type { EventByTopic } from '@netsentry/contracts';
import { Metrics } from '@netsentry/observability';
import { StageHarness, pollDuring, readinessProbeTimeoutMs } from '@netsentry/testkit';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The trainer keeps answering /readyz while it searches and refits on NSL-KDD (KDDTest+, the bundled test
// file, 80% of it as train): ingestion, validation and transform run on one topic prefix to produce the
// transformed train matrix; the trainer alone runs on a branch with its own prefix, and the test hands it
// data.transformed and polls its /readyz every 200 ms until model.trained. The fits run on worker threads;
// the event loop only reads, writes and coordinates.

const upstream = new StageHarness('ready-tr-up');
const own = upstream.branch({ NETSENTRY_TOPIC_PREFIX: `ready-tr-${randomUUID().slice(0, 8)}` });

beforeAll(async () => {
  await upstream.open();
  await upstream.startStages(['ingestion', 'validation', 'transform']);
}, 120_000);

afterAll(() => upstream.close());

describe('trainer /readyz during its work', () => {
  it("answers every poll within the readiness probe's timeout while training on NSL-KDD, and reports its search progress", async () => {
    await upstream.loadBundled('nsl-kdd');
    const runId = await upstream.retrain('nsl-kdd', 'trainer readiness test');
    const [transformed] = await upstream.untilEvents('data.transformed', (e) => e.envelope.runId === runId, {
      timeoutMs: 300_000,
    });
    const [app] = await own.startStages(['trainer']);
    const url = `${await app!.getUrl()}/readyz`;
    const event: EventByTopic['data.transformed'] = {
      ...transformed!,
      envelope: { ...transformed!.envelope, eventId: randomUUID() },
    };
    const started = performance.now();
    const { out, answers } = await pollDuring(
      url,
      (async () => {
        await own.publish('data.transformed', event);
        const [trained] = await own.untilEvents('model.trained', (e) => e.envelope.runId === runId, {
          timeoutMs: 840_000,
          readTimeoutMs: 30_000,
        });
        return trained!;
      })(),
    );
    const seconds = (performance.now() - started) / 1000;
    expect(out.modelVersion).toEqual(expect.any(String));
    expect(out.trials).toBeGreaterThan(0);

    const times = answers.map((a) => a.ms).sort((a, b) => a - b);
    // One answer every 200 ms plus its own time: at least 2 a second over the whole run.
    expect(answers.length).toBeGreaterThan(seconds * 2);
    expect(answers.filter((a) => a.status !== 200)).toEqual([]);
    // Within the deployment's readiness probe timeout (deploy/k8s: 3 s), with the whole suite sharing the
    // machine's two cores.
    expect(times.at(-1)!).toBeLessThan(readinessProbeTimeoutMs('trainer'));

    const exposition = await app!.get(Metrics).registry.metrics();
    expect(exposition).toMatch(
      /netsentry_stage_progress_ratio\{[^}]*stage="trainer"[^}]*phase="search"[^}]*\} 1/,
    );
    console.log(
      `trainer readiness IT: ${out.candidate}, ${seconds.toFixed(1)} s data.transformed → model.trained; /readyz ${answers.length} answers, median ${times[Math.floor(times.length / 2)]!.toFixed(1)} ms, p95 ${times[Math.floor(times.length * 0.95)]!.toFixed(1)} ms, max ${times.at(-1)!.toFixed(1)} ms`,
    );
  }, 1_200_000);
});
