import { Inject, Injectable } from '@nestjs/common';
import type { EventByTopic } from '@netsentry/contracts';
import type { EvaluationReport } from '@netsentry/ml';
import {
  productionAliasName,
  RunNotFoundError,
  type ModelRecord,
  type RunOutcome,
} from '@netsentry/registry';
import { emit, REGISTRY, type RuntimeLogger, type StageResult } from '@netsentry/runtime';
import { ModelDatasets } from './model-datasets';
import type {
  DatasetsPort,
  PushRegistry,
  RefusalMetrics,
  ReleasePort,
  UseCaseContext,
  VerifierPort,
} from './ports';
import { ProductionRelease } from './production-release';
import { PusherMetrics } from './pusher.metrics';
import { PushRefused, notReleasable } from './refusals';
import { BundleVerifier } from './verification/bundle-verifier';

type Accepted = EventByTopic['model.accepted'];

/**
 * model.accepted → verify the bundle in isolation against the evaluator's sample scores → the production
 * alias of the model's dataset. A model that fails verification is quarantined (model.quarantined,
 * SCORING_ERROR) and production stays.
 */
@Injectable()
export class PushAcceptedModel {
  constructor(
    @Inject(REGISTRY) private readonly registry: PushRegistry,
    @Inject(BundleVerifier) private readonly verifier: VerifierPort,
    @Inject(ProductionRelease) private readonly release: ReleasePort,
    @Inject(ModelDatasets) private readonly datasets: DatasetsPort,
    @Inject(PusherMetrics) private readonly metrics: RefusalMetrics,
  ) {}

  async execute(event: Accepted, ctx: UseCaseContext): Promise<StageResult> {
    const model = await this.registry.models.get(event.modelVersion);
    if (model === null) {
      throw new PushRefused('UNKNOWN_VERSION', `model ${event.modelVersion} is not in the registry`);
    }
    if (model.bundle.sha256 !== event.bundle.sha256) {
      throw new PushRefused(
        'BUNDLE_MISMATCH',
        `model ${model.version} is registered with bundle ${model.bundle.sha256}, model.accepted names ${event.bundle.sha256}`,
      );
    }
    const runId = ctx.envelope.runId ?? model.runId;
    const log = ctx.logger;

    switch (model.status) {
      case 'accepted':
        break;
      case 'pushed':
      case 'retired':
        return this.alreadyReleased(model, await this.datasetOf(model), runId, ctx);
      case 'quarantined':
        if (await this.quarantinedByPusher(model)) {
          log.info({ version: model.version }, 'model already quarantined by the pusher: re-emitting');
          return emit('model.quarantined', quarantined(event, model.reasons));
        }
        throw notReleasable(`model.accepted for ${model.version}`, model);
      case 'trained':
        throw notReleasable(`model.accepted for ${model.version}`, model);
    }

    // Unknown only when the bundle cannot be read or parsed, which verification then reports.
    const dataset = await this.datasets.of(model);
    const report = await this.verifier.report(model, runId);
    if (report.ok && dataset !== null) await this.refuseIfStale(model, dataset, report.value);
    const verification = await this.verifier.verify(model, runId, report);
    if (!verification.ok) return this.quarantine(event, model, runId, verification.reason, ctx);
    if (dataset === null)
      throw new Error(`model ${model.version}: verified, but its bundle names no dataset`);
    log.info(
      { version: model.version, samples: verification.samples, maxDelta: verification.maxDelta },
      "bundle verified in isolation: it reproduces the evaluator's sample scores",
    );

    const reason = `${event.verdict}: ${event.reasons.join('; ')}`;
    const outcome = await this.release.release({
      action: 'PUSH',
      target: model,
      dataset,
      reason,
      actor: 'pusher',
      eventId: ctx.envelope.eventId,
      verifiedSamples: verification.samples,
    });
    if (outcome.kind === 'superseded') {
      log.info(
        { version: model.version, production: outcome.production },
        'pushed earlier and production has moved on since: nothing to emit',
      );
      return;
    }
    const { pushed } = outcome;
    if (event.comparison && event.comparison.productionVersion !== pushed.previousVersion) {
      log.warn(
        {
          version: model.version,
          comparedWith: event.comparison.productionVersion,
          replaced: pushed.previousVersion,
        },
        'the evaluator compared the candidate with another production version than the one it replaced',
      );
    }
    log.info(
      {
        version: model.version,
        dataset,
        previous: pushed.previousVersion,
        bundle: pushed.bundle.uri,
        moved: outcome.moved,
      },
      'production alias moved: model pushed',
    );
    await this.recordRun(ctx.logger, runId, ctx.envelope.eventId, 'succeeded', {
      detail: `production ${pushed.previousVersion ?? '(none)'} → ${model.version}; ${pushed.verifiedSamples} sample scores verified in isolation`,
      reason: null,
    });
    return emit('model.pushed', pushed);
  }

  /**
   * The evaluator judged the candidate against its dataset's production model of the time. If that has
   * moved since (another run of the dataset was pushed first, or an operator rolled back or promoted), the
   * verdict says nothing about the model now serving: refuse, and leave the candidate accepted for an
   * explicit PROMOTE or a retrain. Moves of other datasets do not matter. A report without the field
   * (written before it existed) is not checked.
   */
  private async refuseIfStale(model: ModelRecord, dataset: string, report: EvaluationReport): Promise<void> {
    const evaluatedAgainst = report.productionAtEvaluation;
    if (evaluatedAgainst === undefined) return;
    const now = (await this.registry.aliases.get(productionAliasName(dataset)))?.version ?? null;
    // now === model.version: this push already moved the alias and is being completed after a crash.
    if (now === evaluatedAgainst || now === model.version) return;
    throw new PushRefused(
      'STALE_EVALUATION',
      `push of ${model.version} refused: it was evaluated against production ${evaluatedAgainst ?? '(none)'}, ` +
        `but production is now ${now ?? '(none)'}; the candidate stays accepted — promote it explicitly ` +
        `(netsentry promote ${model.version}) or retrain to compare it with the current model`,
    );
  }

  /**
   * model.accepted again for a model already released (redelivered under another event id). The alias is
   * not moved again — that could undo a later rollback; model.pushed is re-emitted only while it is
   * production.
   */
  private async alreadyReleased(
    model: ModelRecord,
    dataset: string,
    runId: string,
    ctx: UseCaseContext,
  ): Promise<StageResult> {
    const head = await this.registry.aliases.get(productionAliasName(dataset));
    if (head?.version !== model.version) {
      ctx.logger.info(
        { version: model.version, status: model.status, production: head?.version ?? null },
        'model was released before and production has moved on since: nothing to do',
      );
      return;
    }
    const outcome = await this.release.release({
      action: head.action,
      target: model,
      dataset,
      reason: head.reason,
      actor: head.actor,
      eventId: ctx.envelope.eventId,
      verifiedSamples: await this.verifier.sampleCount(model, runId),
    });
    if (outcome.kind === 'superseded') return;
    ctx.logger.info({ version: model.version }, 'model already in production: re-emitting model.pushed');
    return emit('model.pushed', outcome.pushed);
  }

  private async quarantine(
    event: Accepted,
    model: ModelRecord,
    runId: string,
    reason: string,
    ctx: UseCaseContext,
  ): Promise<StageResult> {
    this.metrics.refused('VERIFICATION_FAILED');
    ctx.logger.warn(
      { version: model.version, reason },
      'bundle failed verification: model quarantined, production unchanged',
    );
    const changed = await this.registry.models.transition(model.version, ['accepted'], 'quarantined', {
      reasons: [reason],
    });
    if (!changed && (await this.registry.models.get(model.version))?.status !== 'quarantined') {
      throw new Error(`model ${model.version} changed status while it was being verified`); // retried
    }
    await this.recordRun(ctx.logger, runId, ctx.envelope.eventId, 'quarantined', {
      detail: `SCORING_ERROR: ${reason}`,
      reason: `model ${model.version} not pushed: ${reason}`,
    });
    return emit('model.quarantined', quarantined(event, [reason]));
  }

  /** The dataset of a model that was released (so its bundle was read and verified before). */
  private async datasetOf(model: ModelRecord): Promise<string> {
    const dataset = await this.datasets.of(model);
    if (dataset === null)
      throw new Error(`model ${model.version} is ${model.status}, but its bundle names no dataset`);
    return dataset;
  }

  /** The pusher quarantines accepted models; the evaluator only ever quarantines trained ones. */
  private async quarantinedByPusher(model: ModelRecord): Promise<boolean> {
    const last = (await this.registry.models.transitions(model.version)).at(-1);
    return last?.from === 'accepted' && last.to === 'quarantined';
  }

  /** The pusher ends the run. A model.accepted without a registered run is still handled (logged). */
  private async recordRun(
    log: RuntimeLogger,
    runId: string,
    eventId: string,
    outcome: RunOutcome,
    summary: { detail: string; reason: string | null },
  ): Promise<void> {
    try {
      await this.registry.runs.recordStage(runId, 'pusher', {
        status: outcome,
        eventId,
        detail: summary.detail,
      });
      await this.registry.runs.finishRun(runId, outcome, { reason: summary.reason });
    } catch (e) {
      if (!(e instanceof RunNotFoundError)) throw e;
      log.warn({ runId }, 'run not in the registry: its pusher stage is not recorded');
    }
  }
}

function quarantined(
  event: Accepted,
  reasons: readonly string[],
): Omit<EventByTopic['model.quarantined'], 'envelope'> {
  return {
    modelVersion: event.modelVersion,
    bundle: event.bundle,
    metric: event.metric,
    metrics: event.metrics,
    trainMetrics: event.trainMetrics,
    comparison: event.comparison,
    failedChecks: ['SCORING_ERROR'],
    reasons: [...reasons],
  };
}
