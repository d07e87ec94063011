import type { ArtifactRecord, ModelRecord, Run, StageExecution, Trial } from '@netsentry/registry';
import { describe, expect, it } from 'vitest';
import {
  commandIdOfRun,
  describeRun,
  formatRun,
  formatRunList,
  summarizeTrials,
  type RunFacts,
} from '../src/runs';

const t0 = new Date('2026-11-22T03:00:00Z');
const after = (s: number): Date => new Date(t0.getTime() + s * 1_000);

const run = (over: Partial<Run> = {}): Run => ({
  runId: 'run-cmd-1',
  correlationId: 'cmd-1',
  trigger: { commandId: 'cmd-1', reason: 'weekly' },
  dataset: 'phishing',
  status: 'running',
  startedAt: t0,
  endedAt: null,
  reason: null,
  stages: {},
  revision: 0,
  ...over,
});

const execution = (stage: string, eventId: string, over: Partial<StageExecution> = {}): StageExecution => ({
  stage,
  eventId,
  runId: 'run-cmd-1',
  correlationId: 'cmd-1',
  codeVersion: 'abc1234',
  topic: 't',
  partition: 0,
  offset: '1',
  status: 'completed',
  attempt: 1,
  failures: 0,
  lastError: null,
  outputEventIds: [],
  durationMs: 1_500,
  deadLetterReason: null,
  firstClaimedAt: t0,
  lastClaimedAt: t0,
  lastFailedAt: null,
  endedAt: null,
  ...over,
});

const artifact = (stage: string, kind: string, sha: string): ArtifactRecord => ({
  uri: `s3://b/runs/run-cmd-1/${kind}/${sha}`,
  sha256: sha,
  sizeBytes: 2_048,
  rowCount: kind.startsWith('dataset/') ? 100 : null,
  mediaType: 'text/csv',
  kind,
  runId: 'run-cmd-1',
  parents: [],
  producedBy: { stage, eventId: `e-${stage}` },
  createdAt: t0,
});

const trial = (candidate: string, trialIndex: number, meanScore: number): Trial => ({
  runId: 'run-cmd-1',
  candidate,
  trialIndex,
  params: { depth: trialIndex },
  cvScores: [meanScore],
  meanScore,
  durationMs: 10,
  createdAt: t0,
});

const facts = (over: Partial<RunFacts> = {}): RunFacts => ({
  run: run(),
  executions: [],
  artifacts: [],
  models: [],
  trials: [],
  lineage: null,
  now: after(600),
  ...over,
});

const summary = (
  status: string,
  at: Date,
  detail: string | null = null,
  config?: Record<string, unknown>,
) => ({
  status,
  eventId: `e-${status}-${at.getTime()}`,
  at,
  detail,
  ...(config ? { config } : {}),
});

describe('runs: describeRun', () => {
  it('derives the command id from the run id', () => {
    expect(commandIdOfRun('run-3f2a')).toBe('3f2a');
    expect(commandIdOfRun('other')).toBeNull();
  });

  it('a succeeded run: every stage with its outcome, duration (ledger first, else since the previous stage) and artifacts', () => {
    const stages = {
      ingestion: summary('succeeded', after(10), '100 rows'),
      validation: summary('succeeded', after(12), 'PASSED'),
      transform: summary('succeeded', after(20)),
      trainer: summary('succeeded', after(80), 'xgboost'),
      evaluator: summary('succeeded', after(81)),
      pusher: summary('succeeded', after(83), 'production (none) → m-1'),
    };
    const report = describeRun(
      facts({
        run: run({ status: 'succeeded', endedAt: after(83), stages }),
        executions: [execution('trainer', stages.trainer.eventId, { durationMs: 58_000, attempt: 2 })],
        artifacts: [
          artifact('ingestion', 'dataset/snapshot', 'a'.repeat(64)),
          artifact('trainer', 'model/bundle', 'b'.repeat(64)),
        ],
      }),
    );
    expect(report.status).toBe('succeeded');
    expect(report.end).toEqual({
      status: 'succeeded',
      stage: 'pusher',
      reason: null,
      at: after(83),
      code: null,
    });
    expect(report.elapsedMs).toBe(83_000);
    expect(report.stages.map((s) => [s.stage, s.outcome, s.durationMs])).toEqual([
      ['ingestion', 'succeeded', 10_000],
      ['validation', 'succeeded', 2_000],
      ['transform', 'succeeded', 8_000],
      ['trainer', 'succeeded', 58_000],
      ['evaluator', 'succeeded', 1_000],
      ['pusher', 'succeeded', 2_000],
    ]);
    const trainer = report.stages.find((s) => s.stage === 'trainer')!;
    expect(trainer).toMatchObject({ attempts: 2, codeVersion: 'abc1234' });
    expect(trainer.artifacts).toEqual([
      {
        kind: 'model/bundle',
        uri: `s3://b/runs/run-cmd-1/model/bundle/${'b'.repeat(64)}`,
        sha256: 'b'.repeat(64),
        sizeBytes: 2_048,
        rowCount: null,
      },
    ]);
    const text = formatRun(report);
    expect(text).toMatch(/^ {2}status: +succeeded at pusher$/m);
    expect(text).toMatch(/^ {2}trainer +succeeded +58\.0 s +2 +abc1234 +xgboost$/m);
    expect(text).toMatch(/^ {2}trainer +model\/bundle +2\.0 KiB +- +b{64} +s3:\/\//m);
  });

  it('a quarantined run names the stage and reason; the stages it never reached say so', () => {
    const report = describeRun(
      facts({
        run: run({
          status: 'quarantined',
          endedAt: after(15),
          reason: 'label drift',
          stages: {
            ingestion: summary('succeeded', after(10)),
            validation: summary('quarantined', after(15), 'FAILED: label drift'),
          },
        }),
      }),
    );
    expect(report.end).toMatchObject({ status: 'quarantined', stage: 'validation', reason: 'label drift' });
    expect(report.stages.map((s) => s.outcome)).toEqual([
      'succeeded',
      'quarantined',
      'not reached',
      'not reached',
      'not reached',
      'not reached',
    ]);
    expect(formatRunList([report])).toMatch(
      /^run-cmd-1 +phishing +quarantined +2026-11-22 03:00:00 +15\.0 s +validation quarantined +- +label drift$/m,
    );
  });

  it('a run the registry still calls running whose trainer dead-lettered is failed, at the trainer, with its reason', () => {
    const report = describeRun(
      facts({
        run: run({
          stages: {
            ingestion: summary('succeeded', after(5)),
            validation: summary('succeeded', after(6)),
            transform: summary('succeeded', after(9)),
          },
        }),
        executions: [
          execution('trainer', 'e-t', {
            status: 'dead-lettered',
            deadLetterReason: 'exhausted: Error: xgboost exited with code 137',
            lastError: { message: 'Error: xgboost exited with code 137', code: 'HANDLER_FAILED' },
            endedAt: after(70),
            durationMs: null,
          }),
        ],
      }),
    );
    expect(report.status).toBe('failed');
    expect(report.end).toEqual({
      status: 'failed',
      stage: 'trainer',
      reason: 'Error: xgboost exited with code 137',
      at: after(70),
      code: 'HANDLER_FAILED',
    });
    expect(report.stages.find((s) => s.stage === 'trainer')).toMatchObject({
      outcome: 'failed',
      durationMs: 61_000,
    });
    expect(report.stages.find((s) => s.stage === 'evaluator')?.outcome).toBe('not reached');
  });

  it('a running run: the stage that claimed its event is running, later ones pending, elapsed until now', () => {
    const report = describeRun(
      facts({
        run: run({ stages: { ingestion: summary('succeeded', after(5)) } }),
        executions: [execution('validation', 'e-v', { status: 'claimed', durationMs: null })],
      }),
    );
    expect(report.status).toBe('running');
    expect(report.end).toBeNull();
    expect(report.elapsedMs).toBe(600_000);
    expect(report.stages.slice(0, 3).map((s) => [s.outcome, s.durationMs])).toEqual([
      ['succeeded', 5_000],
      ['running', null],
      ['pending', null],
    ]);
  });

  it('trials: the count and the best per candidate, best candidate first', () => {
    const summaryOf = summarizeTrials([
      trial('xgboost', 0, 0.91),
      trial('xgboost', 1, 0.95),
      trial('random-forest', 0, 0.96),
    ]);
    expect(summaryOf).toEqual({
      count: 3,
      candidates: [
        {
          candidate: 'random-forest',
          trials: 1,
          bestCvScore: 0.96,
          bestTrialIndex: 0,
          bestParams: { depth: 0 },
        },
        { candidate: 'xgboost', trials: 2, bestCvScore: 0.95, bestTrialIndex: 1, bestParams: { depth: 1 } },
      ],
    });
  });

  it('with successive halving, a score from a reduced rung never shows as the best', () => {
    const rung = (index: number, fraction: number) => ({ index, of: 3, fraction, trainRows: 100 });
    const summaryOf = summarizeTrials([
      { ...trial('xgboost', 0, 0.99), rung: rung(0, 1 / 9) },
      { ...trial('xgboost', 1, 0.95), rung: rung(2, 1) },
      { ...trial('xgboost', 2, 0.97), rung: rung(1, 1 / 3) },
    ]);
    expect(summaryOf.candidates[0]).toMatchObject({
      candidate: 'xgboost',
      trials: 3,
      bestCvScore: 0.95,
      bestTrialIndex: 1,
    });
  });

  it('the model it made and its lineage: snapshot and schema sha256, configs, code versions, gaps', () => {
    const model: ModelRecord = {
      version: 'm-1',
      runId: 'run-cmd-1',
      dataset: 'phishing',
      bundle: {
        uri: 's3://b/m',
        sha256: 'c'.repeat(64),
        sizeBytes: 1,
        rowCount: null,
        mediaType: 'application/json',
      },
      candidate: 'xgboost',
      params: {},
      cvMetrics: { f1: 0.96, f1Std: 0.004 },
      testMetrics: { f1: 0.97, precision: 0.98, tp: 400 },
      status: 'pushed',
      reasons: [],
      revision: 2,
      createdAt: t0,
      updatedAt: t0,
    };
    const traced = (kind: string, sha: string) => ({
      kind,
      uri: `s3://b/${kind}`,
      sha256: sha,
      rowCount: 100,
      producedBy: { stage: 'ingestion', eventId: 'e' },
    });
    const report = describeRun(
      facts({
        models: [model],
        trials: [trial('xgboost', 0, 0.96)],
        lineage: {
          version: 'm-1',
          model: {
            status: 'pushed',
            candidate: 'xgboost',
            params: {},
            cvMetrics: model.cvMetrics,
            testMetrics: model.testMetrics,
            reasons: [],
            bundle: model.bundle,
            createdAt: t0,
          },
          run: null,
          data: {
            dataset: 'phishing',
            schema: traced('dataset/schema', 'd'.repeat(64)),
            snapshot: traced('dataset/snapshot', 'e'.repeat(64)),
            train: null,
            test: null,
          },
          stages: [
            {
              stage: 'ingestion',
              status: 'succeeded',
              detail: null,
              eventId: 'e',
              config: { split: { testRatio: 0.2 } },
              codeVersion: 'abc1234',
              execution: null,
              artifacts: [],
            },
            {
              stage: 'trainer',
              status: 'succeeded',
              detail: null,
              eventId: 'e',
              config: null,
              codeVersion: 'abc1234',
              execution: null,
              artifacts: [],
            },
          ],
          codeVersions: ['abc1234'],
          artifacts: { root: null, ancestors: [], missing: [], truncated: false },
          gaps: ['trainer: its settings were not recorded'],
        },
      }),
    );
    expect(report.model).toMatchObject({ version: 'm-1', candidate: 'xgboost' });
    expect(report.lineage).toEqual({
      snapshot: { uri: 's3://b/dataset/snapshot', sha256: 'e'.repeat(64), rowCount: 100 },
      schema: { name: 'phishing', sha256: 'd'.repeat(64), uri: 's3://b/dataset/schema' },
      configs: { ingestion: { split: { testRatio: 0.2 } } },
      codeVersions: { ingestion: 'abc1234', trainer: 'abc1234' },
      gaps: ['trainer: its settings were not recorded'],
    });
    const text = formatRun(report);
    expect(text).toContain('  chosen:   xgboost, CV f1 0.9600 ± 0.0040');
    expect(text).toContain('  test:     f1 0.9700, precision 0.9800, tp 400');
    expect(text).toContain(`  data snapshot: sha256 ${'e'.repeat(64)}, 100 rows`);
    expect(text).toContain(`  schema:        phishing, version sha256 ${'d'.repeat(64)}`);
    expect(text).toContain('  code version:  abc1234');
    expect(text).toContain('  stage settings:\n    ingestion: {"split":{"testRatio":0.2}}');
    expect(text).toContain('    - trainer: its settings were not recorded');
    expect(text).toMatch(/^trials: 1 /m);
  });
});
