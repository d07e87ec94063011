import { createMongoClient, Registry, stageConfig } from '@netsentry/registry';
import { isolatedStageEnv } from '@netsentry/testkit';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { modelsList, modelsShow, runsList, runsShow } from '../src/registry-commands';

// `runs` and `models` against the real MongoDB-wire server, on a registry this file fills through
// libs/registry's own API the way the stages do: a run that made and pushed a model (ledger rows, artifacts
// with their parents, trials, stage settings), a run whose validation dead-lettered its event, and a
// quarantined model beside a production history with a rollback.

const env: Record<string, string> = { ...isolatedStageEnv('runsmodels') };
const client = createMongoClient({ uri: env.NETSENTRY_MONGO_URI!, database: env.NETSENTRY_MONGO_DATABASE! });
let registry: Registry;
const command = randomUUID();
const runId = `run-${command}`;
const failedCommand = randomUUID();
const sha = (c: string) => c.repeat(64);
const bucket = 's3://it-bucket/runs';

async function stage(
  name: string,
  eventId: string,
  ownRunId: string | null,
  outcome: { status: string; detail: string; config?: Record<string, unknown> } | 'dead-letter',
): Promise<void> {
  const claim = await registry.executions.claim({
    stage: name,
    eventId,
    codeVersion: 'abc1234',
    runId: ownRunId,
    correlationId: command,
    topic: `it.${name}`,
    partition: 0,
    offset: '7',
  });
  expect(claim.kind).toBe('claimed');
  if (outcome === 'dead-letter') {
    await registry.executions.recordFailure(name, eventId, {
      message: 'Error: snapshot unreadable',
      code: 'HANDLER_FAILED',
    });
    await registry.executions.deadLetter(name, eventId, 'exhausted: Error: snapshot unreadable');
    return;
  }
  await registry.executions.complete(name, eventId, { outputEventIds: [randomUUID()], durationMs: 1_250 });
  await registry.runs.recordStage(ownRunId ?? runId, name, {
    status: outcome.status,
    eventId,
    detail: outcome.detail,
    ...(outcome.config ? { config: stageConfig(outcome.config) } : {}),
  });
}

const ref = (uri: string, s: string, rowCount: number | null = null) => ({
  uri,
  sha256: s,
  sizeBytes: 4_096,
  rowCount,
  mediaType: 'text/csv',
});

beforeAll(async () => {
  await client.connect();
  registry = await Registry.connect(client, env.NETSENTRY_MONGO_DATABASE!);
  // The pushed run.
  await registry.runs.openRun({
    runId,
    correlationId: command,
    trigger: { commandId: command, reason: 'weekly refresh' },
    dataset: 'phishing',
  });
  const by = (s: string) => ({ stage: s, eventId: `${s}-${command}` });
  const schema = ref(`${bucket}/${runId}/dataset/schema/${sha('1')}.yaml`, sha('1'));
  const snapshot = ref(`${bucket}/${runId}/dataset/snapshot/${sha('2')}.csv`, sha('2'), 11_055);
  const train = ref(`${bucket}/${runId}/dataset/train/${sha('3')}.csv`, sha('3'), 8_844);
  const test = ref(`${bucket}/${runId}/dataset/test/${sha('4')}.csv`, sha('4'), 2_211);
  const bundle = ref(`${bucket}/${runId}/model/bundle/${sha('5')}.json`, sha('5'));
  await registry.artifacts.record({
    ref: schema,
    kind: 'dataset/schema',
    runId,
    parents: [],
    producedBy: { stage: 'ingestion', eventId: command },
  });
  await registry.artifacts.record({
    ref: snapshot,
    kind: 'dataset/snapshot',
    runId,
    parents: [schema.uri],
    producedBy: { stage: 'ingestion', eventId: command },
  });
  for (const [kind, r] of [
    ['dataset/train', train],
    ['dataset/test', test],
  ] as const) {
    await registry.artifacts.record({
      ref: r,
      kind,
      runId,
      parents: [snapshot.uri],
      producedBy: { stage: 'ingestion', eventId: command },
    });
  }
  await stage('ingestion', command, null, {
    status: 'succeeded',
    detail: '11055 rows: 8844 train, 2211 test',
    config: { dataset: 'phishing', split: { testRatio: 0.2, seed: 42 } },
  });
  await stage('validation', by('validation').eventId, runId, {
    status: 'succeeded',
    detail: 'PASSED',
    config: { driftShare: 0.3 },
  });
  await stage('transform', by('transform').eventId, runId, {
    status: 'succeeded',
    detail: '30 features',
    config: { resample: 'smote-tomek' },
  });
  for (const [candidate, scores] of [
    ['xgboost', [0.951, 0.962]],
    ['random-forest', [0.958]],
  ] as const) {
    for (const [i, s] of scores.entries()) {
      await registry.trials.record({
        runId,
        candidate,
        trialIndex: i,
        params: { depth: i + 3 },
        cvScores: [s],
        meanScore: s,
        durationMs: 100,
      });
    }
  }
  await registry.artifacts.record({
    ref: bundle,
    kind: 'model/bundle',
    runId,
    parents: [train.uri],
    producedBy: by('trainer'),
  });
  const model = await registry.models.register({
    version: 'm-20261122030000-55555555',
    runId,
    dataset: 'phishing',
    bundle,
    candidate: 'xgboost',
    params: { depth: 4 },
    cvMetrics: { f1: 0.962, f1Std: 0.004 },
  });
  await stage('trainer', by('trainer').eventId, runId, {
    status: 'succeeded',
    detail: `xgboost f1 0.9620; model ${model.version}`,
    config: { folds: 3 },
  });
  await registry.models.transition(model.version, ['trained'], 'accepted', {
    reasons: ['f1 0.967 >= required 0.900'],
    testMetrics: { f1: 0.967, precision: 0.975, recall: 0.959 },
  });
  await stage('evaluator', by('evaluator').eventId, runId, {
    status: 'succeeded',
    detail: 'FLOORS_ONLY',
    config: { metric: 'f1' },
  });
  await registry.aliases.move('production-phishing', model.version, {
    expectedRevision: 0,
    reason: 'FLOORS_ONLY',
    actor: 'pusher',
    action: 'PUSH',
    eventId: by('pusher').eventId,
  });
  await registry.models.transition(model.version, ['accepted'], 'pushed', {
    reasons: ['in production for phishing'],
  });
  await stage('pusher', by('pusher').eventId, runId, {
    status: 'succeeded',
    detail: `production (none) → ${model.version}`,
  });
  await registry.runs.finishRun(runId, 'succeeded');

  // A run whose validation dead-lettered: the run record still says running.
  const failedRun = `run-${failedCommand}`;
  await registry.runs.openRun({
    runId: failedRun,
    correlationId: failedCommand,
    trigger: { commandId: failedCommand, reason: 'retry' },
    dataset: 'nsl-kdd',
  });
  await registry.runs.recordStage(failedRun, 'ingestion', {
    status: 'succeeded',
    eventId: failedCommand,
    detail: 'rows',
  });
  await stage('validation', `validation-${failedCommand}`, failedRun, 'dead-letter');

  // A quarantined model of phishing; and a second pushed one that was rolled back from.
  const quarantined = await registry.models.register({
    version: 'm-20261122040000-66666666',
    runId: 'run-other',
    dataset: 'phishing',
    bundle: ref(`${bucket}/run-other/b.json`, sha('6')),
    candidate: 'random-forest',
    params: {},
    cvMetrics: { f1: 0.42 },
  });
  await registry.models.transition(quarantined.version, ['trained'], 'quarantined', {
    reasons: ['f1 0.425 < required 0.900', 'train/test gap 0.248 > 0.050'],
    testMetrics: { f1: 0.425 },
  });
  const later = await registry.models.register({
    version: 'm-20261122050000-77777777',
    runId: 'run-later',
    dataset: 'phishing',
    bundle: ref(`${bucket}/run-later/b.json`, sha('7')),
    candidate: 'xgboost',
    params: {},
    cvMetrics: { f1: 0.97 },
  });
  await registry.models.transition(later.version, ['trained'], 'accepted', {
    reasons: ['beats production'],
    testMetrics: { f1: 0.975 },
  });
  await registry.aliases.move('production-phishing', later.version, {
    expectedRevision: 1,
    reason: 'BEATS_PRODUCTION',
    actor: 'pusher',
    action: 'PUSH',
    eventId: 'push-later',
  });
  await registry.models.transition(later.version, ['accepted'], 'pushed');
  await registry.aliases.move('production-phishing', model.version, {
    expectedRevision: 2,
    reason: 'later flags benign sites',
    actor: 'alice',
    action: 'ROLLBACK',
    eventId: 'rollback-1',
  });
}, 60_000);

afterAll(async () => {
  await client.close();
});

async function capture(work: () => Promise<number>): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const o = vi
    .spyOn(process.stdout, 'write')
    .mockImplementation((c: string | Uint8Array) => ((out += String(c)), true));
  const e = vi
    .spyOn(process.stderr, 'write')
    .mockImplementation((c: string | Uint8Array) => ((err += String(c)), true));
  try {
    return { code: await work(), out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

describe('netsentry runs', () => {
  it('runs show by a command-id prefix: each stage with outcome, time and artifacts, and the lineage of the model', async () => {
    const { code, out } = await capture(() => runsShow(command.slice(0, 8), { json: false }, env));
    expect(code).toBe(0);
    expect(out).toContain(`run ${runId}  (phishing)`);
    expect(out).toMatch(/^ {2}status: +succeeded at pusher$/m);
    for (const s of ['ingestion', 'validation', 'transform', 'trainer', 'evaluator', 'pusher']) {
      expect(out).toMatch(new RegExp(`^  ${s} +succeeded +1\\.3 s +1 +abc1234 +`, 'm'));
    }
    expect(out).toMatch(
      new RegExp(
        `^  ingestion +dataset/snapshot +4\\.0 KiB +11055 +${sha('2')} +${bucket}/${runId}/dataset/snapshot/`,
        'm',
      ),
    );
    expect(out).toMatch(new RegExp(`^  trainer +model/bundle +4\\.0 KiB +- +${sha('5')} `, 'm'));
    expect(out).toContain('  version:  m-20261122030000-55555555 (pushed)');
    expect(out).toContain('  chosen:   xgboost, CV f1 0.9620 ± 0.0040');
    expect(out).toContain('  test:     f1 0.9670, precision 0.9750, recall 0.9590');
    expect(out).toMatch(/^trials: 3 /m);
    expect(out).toMatch(/^ {2}xgboost +2 +0\.9620 +1 +\{"depth":4\}$/m);
    expect(out).toMatch(/^ {2}random-forest +1 +0\.9580 +0 +\{"depth":3\}$/m);
    expect(out).toContain(`  data snapshot: sha256 ${sha('2')}, 11055 rows`);
    expect(out).toContain(`  schema:        phishing, version sha256 ${sha('1')}`);
    expect(out).toContain('  code version:  abc1234');
    expect(out).toContain('    ingestion: {"dataset":"phishing","split":{"testRatio":0.2,"seed":42}}');
    expect(out).toContain('    trainer: {"folds":3}');
    expect(out).not.toContain('gaps');
  });

  it('runs show --json by the full command id carries the same report', async () => {
    const { code, out } = await capture(() => runsShow(command, { json: true }, env));
    expect(code).toBe(0);
    const report = JSON.parse(out) as {
      runId: string;
      status: string;
      stages: { stage: string; outcome: string; artifacts: { sha256: string }[] }[];
      lineage: {
        snapshot: { sha256: string };
        schema: { name: string; sha256: string };
        codeVersions: Record<string, string>;
      };
      trials: { count: number; candidates: { candidate: string; bestCvScore: number }[] };
    };
    expect(report).toMatchObject({ runId, status: 'succeeded' });
    expect(report.stages.find((s) => s.stage === 'ingestion')?.artifacts.map((a) => a.sha256)).toEqual([
      sha('1'),
      sha('2'),
      sha('3'),
      sha('4'),
    ]);
    expect(report.lineage.snapshot.sha256).toBe(sha('2'));
    expect(report.lineage.schema).toMatchObject({ name: 'phishing', sha256: sha('1') });
    expect(report.trials.candidates.map((c) => [c.candidate, c.bestCvScore])).toEqual([
      ['xgboost', 0.962],
      ['random-forest', 0.958],
    ]);
  });

  it('a run whose validation dead-lettered is shown failed at validation with the reason', async () => {
    const { code, out } = await capture(() => runsShow(`run-${failedCommand}`, { json: false }, env));
    expect(code).toBe(0);
    expect(out).toMatch(/^ {2}status: +failed at validation$/m);
    expect(out).toContain('  reason:   Error: snapshot unreadable');
    expect(out).toMatch(/^ {2}transform +not reached/m);
  });

  it('runs list: newest first, filtered by dataset', async () => {
    const all = await capture(() => runsList({ limit: 10, json: false }, env));
    expect(all.out.split('\n').slice(1, 3)).toEqual([
      expect.stringMatching(
        new RegExp(
          `^run-${failedCommand} +nsl-kdd +failed +.* validation failed +- +Error: snapshot unreadable$`,
        ),
      ),
      expect.stringMatching(
        new RegExp(
          `^${runId} +phishing +succeeded +.* pusher succeeded +m-20261122030000-55555555 \\(pushed\\)`,
        ),
      ),
    ]);
    const one = await capture(() => runsList({ dataset: 'nsl-kdd', limit: 10, json: true }, env));
    expect((JSON.parse(one.out) as { runId: string }[]).map((r) => r.runId)).toEqual([
      `run-${failedCommand}`,
    ]);
  });

  it('an unknown run or an ambiguous prefix exits 2 and says so', async () => {
    const none = await capture(() => runsShow('no-such-run', { json: false }, env));
    expect(none).toMatchObject({ code: 2, out: '' });
    expect(none.err).toMatch(/no run matches 'no-such-run'/);
    const both = await capture(() => runsShow('run-', { json: false }, env));
    expect(both.code).toBe(2);
    expect(both.err).toContain(`matches more than one run: run-`);
  });
});

describe('netsentry models', () => {
  it('models show of a quarantined model: metrics, CV score, history, failed checks, not production', async () => {
    const { code, out } = await capture(() => modelsShow('m-20261122040000-66666666', { json: false }, env));
    expect(code).toBe(0);
    expect(out).toContain('  status:     quarantined');
    expect(out).toContain('  cv score:   f1 0.4200');
    expect(out).toContain('  test:       f1 0.4250');
    expect(out).toMatch(
      /quarantined by the evaluator at .*; failed checks:\n {2}- f1 0\.425 < required 0\.900\n {2}- train\/test gap 0\.248 > 0\.050/,
    );
    expect(out).toMatch(
      /^ {2}\S+ \S+ +trained +quarantined +\S+ .*f1 0\.425 < required 0\.900; train\/test gap/m,
    );
    expect(out).toContain(
      '  not production of phishing (production: m-20261122030000-55555555)\n  never in production',
    );
  });

  it('models show of the model rolled back to: production now, and every alias move to or from it', async () => {
    const { out } = await capture(() => modelsShow('m-20261122030000-55555555', { json: false }, env));
    expect(out).toContain('  production of phishing now');
    expect(out).toMatch(
      /^ {2}3 +\S+ \S+ +ROLLBACK +m-20261122030000-55555555 +m-20261122050000-77777777 +alice +later flags benign sites$/m,
    );
    expect(out).toMatch(
      /^ {2}2 +\S+ \S+ +PUSH +m-20261122050000-77777777 +m-20261122030000-55555555 +pusher +BEATS_PRODUCTION$/m,
    );
    expect(out).toMatch(/^ {2}1 +\S+ \S+ +PUSH +m-20261122030000-55555555 +- +pusher +FLOORS_ONLY$/m);
    expect(out).toMatch(/^ {2}\S+ \S+ +accepted +pushed /m);
  });

  it('models list filters by status and dataset; --json carries the reports', async () => {
    const q = await capture(() => modelsList({ status: 'quarantined', limit: 10, json: true }, env));
    expect(
      (JSON.parse(q.out) as { version: string; quarantine: { failedChecks: string[] } }[]).map((m) => [
        m.version,
        m.quarantine.failedChecks.length,
      ]),
    ).toEqual([['m-20261122040000-66666666', 2]]);
    const text = await capture(() => modelsList({ dataset: 'phishing', limit: 10, json: false }, env));
    expect(text.out).toMatch(/^m-20261122050000-77777777 +phishing +pushed +was production +xgboost/m);
    expect(text.out).toMatch(
      /^m-20261122030000-55555555 +phishing +pushed +production +xgboost +f1 0\.9620 +0\.9670/m,
    );
    const none = await capture(() => modelsList({ dataset: 'nsl-kdd', limit: 10, json: false }, env));
    expect(none).toMatchObject({ code: 0, out: 'no models\n' });
  });

  it('an unknown version exits 2', async () => {
    const { code, err } = await capture(() => modelsShow('m-nope', { json: false }, env));
    expect(code).toBe(2);
    expect(err).toContain('model m-nope is not in the registry');
  });
});
