import { Controller, Inject } from '@nestjs/common';
import type { EventByTopic } from '@netsentry/contracts';
import { AdminCommandGuard, StageHandler, type StageContext, type StageResult } from '@netsentry/runtime';
import { PushAcceptedModel } from './push-accepted-model';
import { PusherMetrics } from './pusher.metrics';
import { PushRefused } from './refusals';
import { RollbackOrPromote } from './rollback-or-promote';

@Controller()
export class PusherController {
  constructor(
    @Inject(AdminCommandGuard) private readonly guard: AdminCommandGuard,
    @Inject(PushAcceptedModel) private readonly push: PushAcceptedModel,
    @Inject(RollbackOrPromote) private readonly rollbackOrPromote: RollbackOrPromote,
    @Inject(PusherMetrics) private readonly metrics: PusherMetrics,
  ) {}

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

  /** A refusal is counted by code and logged (production unchanged), then dead-lettered by the runtime. */
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
