import { Controller, Inject, Optional, type OnApplicationBootstrap } from '@nestjs/common';
import type { ArtifactStore } from '@netsentry/artifacts';
import { loadConfig } from '@netsentry/config';
import type { EventByTopic } from '@netsentry/contracts';
import { LOGGER, Metrics, type Logger } from '@netsentry/observability';
import type { Registry } from '@netsentry/registry';
import { carryOverLegacyProduction } from './legacy-production';
import { ModelDatasets } from './model-datasets';
import {
  AdminCommandGuard,
  ARTIFACT_STORE,
  REGISTRY,
  StageHandler,
  type StageContext,
  type StageResult,
} from '@netsentry/runtime';
import { ProductionRelease } from './production-release';
import { PushAcceptedModel } from './push-accepted-model';
import { pusherSection } from './pusher.config';
import { PusherMetrics } from './pusher.metrics';
import { PushRefused } from './refusals';
import { RollbackOrPromote } from './rollback-or-promote';
import { BundleVerifier } from './verification/bundle-verifier';

@Controller()
export class PusherController implements OnApplicationBootstrap {
  private readonly metrics: PusherMetrics;
  private readonly push: PushAcceptedModel;
  private readonly rollbackOrPromote: RollbackOrPromote;
  private readonly datasets: ModelDatasets;
  private readonly guard: AdminCommandGuard;

  constructor(
    @Inject(ARTIFACT_STORE) artifacts: ArtifactStore,
    @Inject(REGISTRY) private readonly registry: Registry,
    @Optional() @Inject(Metrics) metrics?: Metrics,
    @Optional() @Inject(LOGGER) private readonly logger?: Logger,
  ) {
    const s = loadConfig(pusherSection);
    this.metrics = new PusherMetrics(metrics);
    const verifier = new BundleVerifier(
      artifacts,
      registry,
      {
        tolerance: s.NETSENTRY_PUSHER_SCORE_TOLERANCE,
        timeoutMs: s.NETSENTRY_PUSHER_VERIFY_TIMEOUT,
        maxHeapMb: s.NETSENTRY_PUSHER_VERIFY_MAX_HEAP_MB,
      },
      this.metrics,
    );
    this.guard = AdminCommandGuard.fromEnv('pusher', registry, metrics);
    this.datasets = new ModelDatasets(artifacts);
    const release = new ProductionRelease(
      artifacts,
      registry,
      this.datasets,
      s.NETSENTRY_PUSHER_PRODUCTION_PREFIX,
      this.metrics,
    );
    this.push = new PushAcceptedModel(registry, verifier, release, this.datasets, this.metrics);
    this.rollbackOrPromote = new RollbackOrPromote(registry, verifier, release, this.datasets);
  }

  /**
   * Carries a deployment-wide 'production' alias of an earlier release over to its dataset's alias, then
   * starts the production gauge from the registry, not from the first move after a restart.
   */
  async onApplicationBootstrap(): Promise<void> {
    try {
      const carried = await carryOverLegacyProduction(this.registry, this.datasets);
      if (carried) this.logger?.info(carried, 'legacy production alias carried over to its dataset');
      const productions = await this.registry.productions();
      for (const p of productions) this.metrics.productionIs(p.dataset, p.version);
      this.logger?.info(
        { production: Object.fromEntries(productions.map((p) => [p.dataset, p.version])) },
        'production aliases read',
      );
    } catch (e) {
      this.logger?.warn({ err: (e as Error).message }, 'production aliases could not be read at start-up');
    }
  }

  @StageHandler('model.accepted')
  onAccepted(
    event: EventByTopic['model.accepted'],
    ctx: StageContext<'model.accepted'>,
  ): Promise<StageResult> {
    return this.refusalsCounted(ctx, () => this.push.execute(event, ctx));
  }

  @StageHandler('admin.commands')
  async onCommand(
    command: EventByTopic['admin.commands'],
    ctx: StageContext<'admin.commands'>,
  ): Promise<StageResult> {
    if (command.command === 'RETRAIN') return; // ingestion's
    await this.guard.verify(command, ctx);
    const operator = { ...command, command: command.command };
    return this.refusalsCounted(ctx, () => this.rollbackOrPromote.execute(operator, ctx));
  }

  private async refusalsCounted(ctx: StageContext, work: () => Promise<StageResult>): Promise<StageResult> {
    try {
      return await work();
    } catch (e) {
      if (e instanceof PushRefused) {
        this.metrics.refused(e.code);
        ctx.logger.warn({ code: e.code, reason: e.message }, 'refused: production unchanged');
      }
      throw e;
    }
  }
}
