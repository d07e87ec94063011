import type { EventByTopic } from '@netsentry/contracts';
import type { Registry } from '@netsentry/registry';
import { emit, type StageContext, type StageResult } from '@netsentry/runtime';
import type { ProductionRelease } from './production-release';
import { PushRefused, commandTarget, isReleasable, notReleasable } from './refusals';
import type { BundleVerifier } from './verification/bundle-verifier';

type Command = EventByTopic['admin.commands'] & { readonly command: 'ROLLBACK' | 'PROMOTE' };

/**
 * An operator's ROLLBACK or PROMOTE: production goes to a version the evaluator accepted at some point,
 * after the same isolated verification as a push, and model.pushed announces it with the action.
 */
export class RollbackOrPromote {
  constructor(
    private readonly registry: Registry,
    private readonly verifier: BundleVerifier,
    private readonly release: ProductionRelease,
  ) {}

  async execute(command: Command, ctx: StageContext<'admin.commands'>): Promise<StageResult> {
    const action = command.command;
    const eventId = ctx.envelope.eventId;
    const aliases = this.registry.aliases;
    // A redelivered command whose move was already made: finish that one. Resolving "the previous version"
    // again would roll back a second time.
    const earlier = await this.release.moveOf(eventId);
    const version = earlier?.version ?? commandTarget(command, await aliases.get(), await aliases.previous());

    const model = await this.registry.models.get(version);
    if (model === null) {
      throw new PushRefused('UNKNOWN_VERSION', `${action} refused: model ${version} is not in the registry`);
    }
    if (!isReleasable(model.status)) throw notReleasable(`${action} to ${version}`, model);
    if (earlier === null && (await aliases.get())?.version === version) {
      ctx.logger.info({ action, version }, `${action}: ${version} is already production, nothing to do`);
      return;
    }

    const verification = await this.verifier.verify(model, model.runId);
    if (!verification.ok) {
      throw new PushRefused('VERIFICATION_FAILED', `${action} to ${version} refused: ${verification.reason}`);
    }
    const outcome = await this.release.release({
      action,
      target: model,
      reason: command.reason,
      actor: command.requestedBy,
      eventId,
      verifiedSamples: verification.samples,
    });
    if (outcome.kind === 'superseded') {
      ctx.logger.info(
        { action, version, production: outcome.production },
        `${action} was carried out earlier and production has moved on since: nothing to emit`,
      );
      return;
    }
    ctx.logger.info(
      {
        action,
        version,
        previous: outcome.pushed.previousVersion,
        requestedBy: command.requestedBy,
        reason: command.reason,
        samples: verification.samples,
      },
      `production alias moved: ${action}`,
    );
    return emit('model.pushed', outcome.pushed);
  }
}
