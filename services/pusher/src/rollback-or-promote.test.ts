import { rootEnvelope, type EventByTopic } from '@netsentry/contracts';
import { silentLogger, type StageOutput } from '@netsentry/runtime';
import { beforeEach, describe, expect, it } from 'vitest';
import { pusherFixture, refusal, type PusherFixture } from '../test/support/use-case-fakes';

type Command = EventByTopic['admin.commands'] & { readonly command: 'ROLLBACK' | 'PROMOTE' };
let f: PusherFixture;

function command(kind: 'ROLLBACK' | 'PROMOTE', to: string | null, dataset: string | null = null): Command {
  return {
    envelope: rootEnvelope('admin.commands', { producer: { service: 'cli', version: 'test' } }),
    command: kind,
    reason: 'operator says so',
    requestedBy: 'ops',
    targetModelVersion: to,
    datasetName: dataset,
    nonce: null,
    signature: null,
  };
}

const run = (c: Command) => f.command.execute(c, { envelope: c.envelope, logger: silentLogger });

/** `versions` pushed in turn to `dataset`'s production. */
async function pushed(dataset: string, ...versions: string[]): Promise<void> {
  for (const v of versions) {
    f.model(v, 'accepted', dataset);
    const head = await f.registry.aliases.get(`production-${dataset}`);
    await f.registry.aliases.move(`production-${dataset}`, v, {
      expectedRevision: head?.revision ?? 0,
      reason: 'r',
      actor: 'pusher',
      action: 'PUSH',
      eventId: `push-${v}`,
    });
  }
}

beforeEach(async () => {
  f = await pusherFixture();
});

describe('RollbackOrPromote', () => {
  it('a ROLLBACK without a version goes back to the previous production version, verified first', async () => {
    await pushed('phishing', 'm-1', 'm-2');
    const out = (await run(command('ROLLBACK', null))) as StageOutput;
    expect(out.topic).toBe('model.pushed');
    expect(out.event).toMatchObject({
      action: 'ROLLBACK',
      modelVersion: 'm-1',
      previousVersion: 'm-2',
      reason: 'operator says so',
    });
    expect(f.release.requests[0]).toMatchObject({ actor: 'ops', dataset: 'phishing' });
  });

  it('refuses a ROLLBACK whose target fails verification, moving nothing', async () => {
    await pushed('phishing', 'm-1', 'm-2');
    f.verifier.verdict = { ok: false, reason: 'pusher: the bundle cannot be parsed' };
    const e = await refusal(run(command('ROLLBACK', null)));
    expect(e).toMatchObject({
      code: 'VERIFICATION_FAILED',
      message: 'ROLLBACK to m-1 refused: pusher: the bundle cannot be parsed',
    });
    expect((await f.registry.aliases.get('production-phishing'))!.version).toBe('m-2');
  });

  it('refuses a PROMOTE without a version, and of a version the evaluator quarantined', async () => {
    expect((await refusal(run(command('PROMOTE', null)))).code).toBe('TARGET_REQUIRED');
    f.model('m-3', 'quarantined', 'phishing', ['f1 0.951 < required 0.960']);
    const e = await refusal(run(command('PROMOTE', 'm-3')));
    expect(e.code).toBe('NOT_ACCEPTED');
    expect(e.message).toMatch(
      /^PROMOTE to m-3 refused: model m-3 is quarantined \(f1 0\.951 < required 0\.960\)/,
    );
    expect(f.release.requests).toEqual([]);
  });

  it('refuses to guess between datasets, and a version of another dataset than the one named', async () => {
    await pushed('phishing', 'm-1', 'm-2');
    await pushed('nsl-kdd', 'k-1', 'k-2');
    const guess = await refusal(run(command('ROLLBACK', null)));
    expect(guess.code).toBe('DATASET_REQUIRED');
    expect(guess.message).toMatch(
      /2 datasets have a production model \(.*nsl-kdd.*phishing|phishing.*nsl-kdd/,
    );
    const mismatch = await refusal(run(command('PROMOTE', 'k-1', 'phishing')));
    expect(mismatch).toMatchObject({
      code: 'DATASET_MISMATCH',
      message: "PROMOTE to k-1 refused: it is a model of dataset 'nsl-kdd', not 'phishing'",
    });
    const rollback = (await run(command('ROLLBACK', null, 'nsl-kdd'))) as StageOutput;
    expect(rollback.event).toMatchObject({ dataset: 'nsl-kdd', modelVersion: 'k-1' });
    expect((await f.registry.aliases.get('production-phishing'))!.version).toBe('m-2');
  });

  it('a PROMOTE of the version already in production does nothing', async () => {
    await pushed('phishing', 'm-1');
    expect(await run(command('PROMOTE', 'm-1'))).toBeUndefined();
    expect(f.release.requests).toEqual([]);
  });
});
