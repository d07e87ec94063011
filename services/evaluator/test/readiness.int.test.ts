import type { EventByTopic } from '@netsentry/contracts';
import {
  BUNDLE_MEDIA_TYPE,
  readLabelledSplits,
  serializeBundle,
  transformDataset,
  xgboostEngine,
} from '@netsentry/ml';
import { trainedBundle } from '@netsentry/ml/testing';
import { Metrics } from '@netsentry/observability';
import { StageHarness, pollDuring, readinessProbeTimeoutMs } from '@netsentry/testkit';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The evaluator keeps answering /readyz while it scores NSL-KDD (KDDTest+; it scored on its event loop for
// 2.4 s before): ingestion and validation produce the validated splits on one topic prefix, the test
// trains a small XGBoost model on them and registers its bundle as the trainer would, and the evaluator
// alone, on a branch with its own prefix, gets model.trained while the test polls its /readyz every
// 200 ms until the verdict.

const upstream = new StageHarness('ready-ev-up');
const own = upstream.branch({ NETSENTRY_TOPIC_PREFIX: `ready-ev-${randomUUID().slice(0, 8)}` });

beforeAll(async () => {
  await upstream.open();
  await upstream.startStages(['ingestion', 'validation']);
}, 120_000);

afterAll(() => upstream.close());

describe('evaluator /readyz during its work', () => {
  it("answers every poll within the readiness probe's timeout while scoring NSL-KDD, and reports progress", async () => {
    const stores = upstream.stores;
    await upstream.loadBundled('nsl-kdd');
    const runId = await upstream.retrain('nsl-kdd', 'evaluator readiness test');
    const [validated] = await upstream.untilEvents('data.validated', (e) => e.envelope.runId === runId, {
      timeoutMs: 300_000,
    });
    const dataset = validated!.dataset;

    // A model as the trainer would register it (no search: one small XGBoost fit).
    const schema = await stores.records.requireSchema(dataset.schema.sha256);
    const { train, test } = await readLabelledSplits(schema, dataset, (ref) => stores.artifacts.open(ref));
    const t = transformDataset(schema, train, test, {
      imputation: 'median',
      knnK: 3,
      resampling: 'none',
      smoteK: 5,
      seed: 42,
    });
    const model = (await xgboostEngine()).train(t.train.X, t.train.y, t.train.rows, t.train.cols, {
      rounds: 60,
    });
    const bundle = trainedBundle({
      model,
      candidate: 'xgboost',
      params: { rounds: 60 },
      schema,
      preprocessor: t.preprocessor,
      train,
      dataset: dataset.datasetName,
      cv: { mean: 0.99, std: 0.001 },
      runId,
      trainedAt: new Date().toISOString(),
    });
    model.free();
    const bundleRef = await stores.artifacts.put({
      runId,
      kind: 'model/bundle',
      body: Buffer.from(serializeBundle(bundle), 'utf8'),
      mediaType: BUNDLE_MEDIA_TYPE,
    });
    const registered = await stores.registry.models.register({
      runId,
      dataset: dataset.datasetName,
      bundle: bundleRef,
      candidate: 'xgboost',
      params: { rounds: 60 },
      cvMetrics: { f1: 0.99 },
    });
    const event: EventByTopic['model.trained'] = {
      envelope: { ...validated!.envelope, eventId: randomUUID(), causationId: validated!.envelope.eventId },
      dataset,
      bundle: bundleRef,
      modelVersion: registered.version,
      candidate: 'xgboost',
      engine: bundle.engine.version,
      params: { rounds: '60' },
      metric: 'f1',
      cvMean: 0.99,
      cvStd: 0.001,
      folds: 3,
      trials: 1,
      leaderboard: [{ candidate: 'xgboost', cvMean: 0.99, cvStd: 0.001, trainSeconds: 1 }],
    };

    const [app] = await own.startStages(['evaluator']);
    const url = `${await app!.getUrl()}/readyz`;
    const started = performance.now();
    const { out, answers } = await pollDuring(
      url,
      (async () => {
        await own.publish('model.trained', event);
        const mine = (e: { envelope: { runId?: string | null } }): boolean => e.envelope.runId === runId;
        for (;;) {
          const accepted = await own
            .readEvents('model.accepted', { atLeast: 1, settleMs: 200, timeoutMs: 2_000 })
            .catch(() => []);
          if (accepted.some(mine)) return 'accepted';
          const rejected = await own
            .readEvents('model.quarantined', { atLeast: 1, settleMs: 200, timeoutMs: 2_000 })
            .catch(() => []);
          if (rejected.some(mine)) return 'quarantined';
          if (performance.now() - started > 300_000) throw new Error('no verdict within 300 s');
        }
      })(),
    );
    const seconds = (performance.now() - started) / 1000;
    expect(out).toBe('accepted');
    const record = await stores.registry.models.get(registered.version);
    expect(record!.status).toBe('accepted');
    expect(record!.testMetrics!.f1).toBeGreaterThan(0.9);

    const times = answers.map((a) => a.ms).sort((a, b) => a - b);
    expect(answers.length).toBeGreaterThan(seconds * 2);
    expect(answers.filter((a) => a.status !== 200)).toEqual([]);
    // Within the deployment's readiness probe timeout (deploy/k8s: 3 s): what a probe needs. The test's
    // process shares two cores with the other suites: on a slow host under the whole suite the longest
    // answer was 1.28 s. Before scoring moved to the pool, it blocked the loop for 2.4 s on
    // a fast host, about 6 s on that slow one.
    expect(times.at(-1)!).toBeLessThan(readinessProbeTimeoutMs('evaluator'));

    const exposition = await app!.get(Metrics).registry.metrics();
    for (const phase of ['score-candidate-test', 'score-candidate-train']) {
      expect(exposition).toMatch(
        new RegExp(`netsentry_stage_progress_ratio\\{[^}]*stage="evaluator"[^}]*phase="${phase}"[^}]*\\} 1`),
      );
    }
    console.log(
      `evaluator readiness IT: test f1 ${record!.testMetrics!.f1!.toFixed(4)}, ${seconds.toFixed(1)} s model.trained → verdict; /readyz ${answers.length} answers, median ${times[Math.floor(times.length / 2)]!.toFixed(1)} ms, p95 ${times[Math.floor(times.length * 0.95)]!.toFixed(1)} ms, max ${times.at(-1)!.toFixed(1)} ms`,
    );
  }, 600_000);
});
