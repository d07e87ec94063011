import { sampleEvent } from '@netsentry/contracts';
import type { StageExecution } from '@netsentry/registry';
import { describe, expect, it } from 'vitest';
import {
  deadLetterOf,
  deadLetterStatus,
  formatProductionOutcome,
  formatRunOutcome,
  ledgerReason,
  WAIT_EXIT,
  type RunOutcome,
} from '../src/wait';

const outcome = (over: Partial<RunOutcome>): RunOutcome => ({
  runId: 'run-c1',
  commandId: 'c1',
  status: 'succeeded',
  reason: null,
  stage: null,
  code: null,
  dataset: 'phishing',
  modelVersion: 'm-1',
  durations: { ingestion: 10_000, validation: 800, transform: null },
  elapsedMs: 83_000,
  report: null,
  ...over,
});

describe('--wait: outcomes and exit codes', () => {
  it('exit codes: 0 pushed, 3 quarantined, 4 failed, 5 refused, 6 timed out', () => {
    expect(WAIT_EXIT).toEqual({ succeeded: 0, quarantined: 3, failed: 4, refused: 5, timeout: 6 });
  });

  it('a dead-lettered RETRAIN is refused only for RUN_IN_PROGRESS and ADMIN_*; ROLLBACK/PROMOTE for every pusher refusal', () => {
    expect(deadLetterStatus('RETRAIN', 'RUN_IN_PROGRESS')).toBe('refused');
    expect(deadLetterStatus('RETRAIN', 'ADMIN_STALE')).toBe('refused');
    expect(deadLetterStatus('RETRAIN', 'UNKNOWN_DATASET')).toBe('failed');
    expect(deadLetterStatus('RETRAIN', 'HANDLER_FAILED')).toBe('failed');
    expect(deadLetterStatus('PROMOTE', 'NOT_ACCEPTED')).toBe('refused');
    expect(deadLetterStatus('ROLLBACK', 'NOTHING_TO_ROLL_BACK')).toBe('refused');
    expect(deadLetterStatus('ROLLBACK', 'ADMIN_BAD_SIGNATURE')).toBe('refused');
    expect(deadLetterStatus('ROLLBACK', 'HANDLER_FAILED')).toBe('failed');
    expect(deadLetterStatus('PROMOTE', null)).toBe('failed');
  });

  it('finds the dead letter of a command (caused by it) or of an event of its run', () => {
    const base = sampleEvent('pipeline.dlq');
    const ofCommand = { ...base, envelope: { ...base.envelope, causationId: 'c1', runId: null } };
    const ofRun = { ...base, envelope: { ...base.envelope, causationId: 'x', runId: 'run-c2' } };
    expect(deadLetterOf([ofRun, ofCommand], { commandId: 'c1' })).toBe(ofCommand);
    expect(deadLetterOf([ofCommand, ofRun], { commandId: 'c2', runId: 'run-c2' })).toBe(ofRun);
    expect(deadLetterOf([ofCommand, ofRun], { commandId: 'c3', runId: 'run-c3' })).toBeUndefined();
  });

  it("reads a ledger row's dead-letter reason without the runtime's prefixes", () => {
    const row = {
      deadLetterReason: 'non-retryable: Error: RETRAIN of phishing refused: run run-x is in progress',
      lastError: null,
    } as StageExecution;
    expect(ledgerReason(row)).toBe('RETRAIN of phishing refused: run run-x is in progress');
  });

  it('prints each outcome in words with the stage durations', () => {
    expect(formatRunOutcome(outcome({}))).toBe(
      'run run-c1 succeeded in 1 min 23 s: model m-1 pushed to production of phishing\n  stages: ingestion 10.0 s, validation 800 ms\n',
    );
    expect(
      formatRunOutcome(
        outcome({ status: 'quarantined', stage: 'evaluator', reason: 'f1 0.42 < 0.90', durations: {} }),
      ),
    ).toBe('run run-c1 quarantined at evaluator after 1 min 23 s: f1 0.42 < 0.90\n');
    expect(
      formatRunOutcome(
        outcome({
          status: 'refused',
          code: 'RUN_IN_PROGRESS',
          reason: 'run run-x is in progress',
          durations: {},
        }),
      ),
    ).toBe('RETRAIN refused (RUN_IN_PROGRESS): run run-x is in progress\n');
    expect(
      formatRunOutcome(
        outcome({ status: 'failed', stage: 'trainer', code: 'HANDLER_FAILED', reason: 'oom', durations: {} }),
      ),
    ).toContain('run run-c1 failed at trainer after 1 min 23 s (HANDLER_FAILED): oom');
    expect(
      formatRunOutcome(
        outcome({ status: 'timeout', reason: 'still running after 30 min 00 s, at trainer', durations: {} }),
      ),
    ).toContain('netsentry runs show run-c1');
    const base = { commandId: 'c', dataset: 'phishing', elapsedMs: 2_000, code: null, reason: null };
    expect(
      formatProductionOutcome(
        { ...base, status: 'succeeded', version: 'm-1', previousVersion: 'm-2', action: 'ROLLBACK' },
        'ROLLBACK',
      ),
    ).toBe('ROLLBACK done in 2.0 s: production of phishing is m-1 (was m-2)\n');
    expect(
      formatProductionOutcome(
        {
          ...base,
          status: 'refused',
          version: 'm-2',
          previousVersion: null,
          action: null,
          code: 'NOT_ACCEPTED',
          reason: 'm-3 is quarantined',
        },
        'PROMOTE m-3',
      ),
    ).toBe('PROMOTE m-3 refused (NOT_ACCEPTED): m-3 is quarantined; production of phishing is m-2\n');
  });
});
