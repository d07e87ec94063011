import { rootEnvelope, type EventByTopic } from '@netsentry/contracts';
import { silentLogger, type StageOutput } from '@netsentry/runtime';
import { beforeEach, describe, expect, it } from 'vitest';
import { bundle, pusherFixture, refusal, type PusherFixture } from '../test/support/use-case-fakes';

let f: PusherFixture;

function accepted(version: string, runId = 'run-1'): EventByTopic['model.accepted'] {
  return {
    envelope: rootEnvelope('model.accepted', { producer: { service: 'evaluator', version: 'test' }, runId }),
    modelVersion: version,
    bundle: bundle(version),
    metric: 'f1',
    metrics: { f1: 0.97 },
    trainMetrics: { f1: 0.98 },
    comparison: null,
    verdict: 'FLOORS_ONLY',
    reasons: ['f1 0.970 >= 0.900'],
  };
}

const push = (event: EventByTopic['model.accepted']) =>
  f.push.execute(event, { envelope: event.envelope, logger: silentLogger });

beforeEach(async () => {
  f = await pusherFixture();
  await f.registry.runs.openRun({
    runId: 'run-1',
    correlationId: 'c',
    trigger: { commandId: null, reason: 't' },
    dataset: 'phishing',
  });
});

describe('PushAcceptedModel', () => {
  it('pushes a verified model to its dataset’s production, emits model.pushed and ends the run', async () => {
    f.model('m-1', 'accepted');
    const out = (await push(accepted('m-1'))) as StageOutput;
    expect(out.topic).toBe('model.pushed');
    expect(out.event).toMatchObject({
      action: 'PUSH',
      alias: 'production-phishing',
      modelVersion: 'm-1',
      verifiedSamples: 8,
    });
    expect(f.release.requests[0]).toMatchObject({
      action: 'PUSH',
      reason: 'FLOORS_ONLY: f1 0.970 >= 0.900',
      actor: 'pusher',
    });
    const run = (await f.registry.runs.get('run-1'))!;
    expect(run.status).toBe('succeeded');
    expect(run.stages.pusher!.detail).toBe('production (none) → m-1; 8 sample scores verified in isolation');
  });

  it('quarantines a model whose bundle fails verification, with the reason; production stays', async () => {
    f.model('m-1', 'accepted');
    f.verifier.verdict = { ok: false, reason: 'pusher: sample 3 scored 0.91, the evaluator 0.12' };
    const out = (await push(accepted('m-1'))) as StageOutput;
    expect(out.topic).toBe('model.quarantined');
    expect(out.event).toMatchObject({
      failedChecks: ['SCORING_ERROR'],
      reasons: ['pusher: sample 3 scored 0.91, the evaluator 0.12'],
    });
    expect((await f.registry.models.get('m-1'))!.status).toBe('quarantined');
    expect(await f.registry.aliases.get('production-phishing')).toBeNull();
    expect(f.release.requests).toEqual([]);
    const run = (await f.registry.runs.get('run-1'))!;
    expect(run.status).toBe('quarantined');
    expect(run.reason).toBe('model m-1 not pushed: pusher: sample 3 scored 0.91, the evaluator 0.12');
    expect(f.refusals).toEqual(['VERIFICATION_FAILED']);
  });

  it('refuses a version the registry does not know, and a bundle other than the registered one', async () => {
    const unknown = await refusal(push(accepted('m-9')));
    expect(unknown).toMatchObject({
      code: 'UNKNOWN_VERSION',
      retryable: false,
      message: 'model m-9 is not in the registry',
    });
    f.model('m-1', 'accepted');
    const other = { ...accepted('m-1'), bundle: bundle('m-2') };
    const mismatch = await refusal(push(other));
    expect(mismatch.code).toBe('BUNDLE_MISMATCH');
    expect(mismatch.message).toBe(
      `model m-1 is registered with bundle ${bundle('m-1').sha256}, model.accepted names ${bundle('m-2').sha256}`,
    );
  });

  it('refuses a model the evaluator did not accept, naming its status and why', async () => {
    f.model('m-1', 'trained', 'phishing', ['not evaluated yet']);
    const e = await refusal(push(accepted('m-1')));
    expect(e.code).toBe('NOT_ACCEPTED');
    expect(e.message).toMatch(/^model\.accepted for m-1 refused: model m-1 is trained \(not evaluated yet\)/);
  });

  it('refuses a verdict given against a production that has moved since; the candidate stays accepted', async () => {
    f.model('m-0', 'pushed');
    f.model('m-5', 'pushed');
    await f.registry.aliases.move('production-phishing', 'm-0', {
      expectedRevision: 0,
      reason: 'r',
      actor: 'pusher',
      action: 'PUSH',
      eventId: 'e0',
    });
    await f.registry.aliases.move('production-phishing', 'm-5', {
      expectedRevision: 1,
      reason: 'r',
      actor: 'op',
      action: 'PROMOTE',
      eventId: 'e1',
    });
    f.model('m-6', 'accepted');
    f.verifier.evaluatedAgainst = 'm-0';
    const e = await refusal(push(accepted('m-6')));
    expect(e.code).toBe('STALE_EVALUATION');
    expect(e.message).toMatch(
      /^push of m-6 refused: it was evaluated against production m-0, but production is now m-5/,
    );
    expect((await f.registry.models.get('m-6'))!.status).toBe('accepted');
    expect(f.release.requests).toEqual([]);
  });
});
