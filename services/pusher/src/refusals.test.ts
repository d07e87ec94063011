import type { AliasHistoryEntry, AliasState, ModelRecord } from '@netsentry/registry';
import { describe, expect, it } from 'vitest';
import { commandTarget, isReleasable, notReleasable, PushRefused, rollbackDataset } from './refusals';

const head: AliasState = {
  alias: 'production',
  version: 'm-2',
  revision: 2,
  movedAt: new Date(),
  reason: 'beats production',
  actor: 'pusher',
  action: 'PUSH',
  eventId: 'e-2',
};
const previous: AliasHistoryEntry = { ...head, version: 'm-1', revision: 1, previousVersion: null };

function refusal(run: () => unknown): PushRefused {
  try {
    run();
  } catch (e) {
    if (e instanceof PushRefused) return e;
    throw e;
  }
  throw new Error('expected a refusal');
}

describe('commandTarget', () => {
  it('takes the named version, for ROLLBACK and PROMOTE alike', () => {
    expect(commandTarget({ command: 'PROMOTE', targetModelVersion: 'm-7' }, head, previous)).toBe('m-7');
    expect(commandTarget({ command: 'ROLLBACK', targetModelVersion: 'm-7' }, head, previous)).toBe('m-7');
  });

  it('rolls back to the previous production version when none is named', () => {
    expect(commandTarget({ command: 'ROLLBACK', targetModelVersion: null }, head, previous)).toBe('m-1');
  });

  it('refuses a ROLLBACK with nothing to go back to, and a PROMOTE without a version', () => {
    const never = refusal(() => commandTarget({ command: 'ROLLBACK', targetModelVersion: null }, null, null));
    expect(never.code).toBe('NOTHING_TO_ROLL_BACK');
    expect(never.message).toMatch(/nothing to roll back to, production has never been set/);
    const once = refusal(() => commandTarget({ command: 'ROLLBACK', targetModelVersion: null }, head, null));
    expect(once.message).toMatch(/production has only ever been m-2/);
    const promote = refusal(() =>
      commandTarget({ command: 'PROMOTE', targetModelVersion: null }, head, previous),
    );
    expect(promote.code).toBe('TARGET_REQUIRED');
    expect(promote.retryable).toBe(false);
  });
});

describe('rollbackDataset', () => {
  it('takes the named dataset, else the only one with a production model', () => {
    expect(rollbackDataset('nsl-kdd', ['phishing', 'nsl-kdd'])).toBe('nsl-kdd');
    expect(rollbackDataset(null, ['phishing'])).toBe('phishing');
  });

  it('refuses to guess between several datasets, naming them, and says when there is none', () => {
    const several = refusal(() => rollbackDataset(null, ['nsl-kdd', 'phishing']));
    expect(several.code).toBe('DATASET_REQUIRED');
    expect(several.retryable).toBe(false);
    expect(several.message).toBe(
      'ROLLBACK refused: 2 datasets have a production model (nsl-kdd, phishing); name one ' +
        '(netsentry rollback --dataset NAME) or the version (--to)',
    );
    const none = refusal(() => rollbackDataset(null, []));
    expect(none.code).toBe('NOTHING_TO_ROLL_BACK');
    expect(none.message).toMatch(/production has never been set for any dataset/);
  });

  it('says whose production has nothing to roll back to', () => {
    const once = refusal(() =>
      commandTarget({ command: 'ROLLBACK', targetModelVersion: null }, head, null, 'phishing'),
    );
    expect(once.message).toBe(
      "ROLLBACK refused: nothing to roll back to, production has only ever been m-2 (dataset 'phishing')",
    );
  });
});

describe('releasable models', () => {
  it('are the ones the evaluator accepted at some point', () => {
    expect(['accepted', 'pushed', 'retired'].every((s) => isReleasable(s as ModelRecord['status']))).toBe(
      true,
    );
    expect(isReleasable('trained')).toBe(false);
    expect(isReleasable('quarantined')).toBe(false);
  });

  it('a refusal names the version, its status and why it has it', () => {
    const model = {
      version: 'm-3',
      status: 'quarantined',
      reasons: ['f1 0.951 < required 0.960'],
    } as ModelRecord;
    const e = notReleasable('PROMOTE to m-3', model);
    expect(e.code).toBe('NOT_ACCEPTED');
    expect(e.message).toBe(
      'PROMOTE to m-3 refused: model m-3 is quarantined (f1 0.951 < required 0.960); only a version the ' +
        'evaluator accepted (status accepted, pushed or retired) may serve production',
    );
  });
});
