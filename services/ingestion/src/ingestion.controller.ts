import { Controller, Inject } from '@nestjs/common';
import type { EventByTopic } from '@netsentry/contracts';
import { AdminCommandGuard, StageHandler, type StageContext, type StageResult } from '@netsentry/runtime';
import { StartRetrainRun } from './start-retrain-run';

export { runIdFor } from './start-retrain-run';

@Controller()
export class IngestionController {
  constructor(
    @Inject(AdminCommandGuard) private readonly guard: AdminCommandGuard,
    @Inject(StartRetrainRun) private readonly startRun: StartRetrainRun,
  ) {}

  @StageHandler('admin.commands')
  async onCommand(
    command: EventByTopic['admin.commands'],
    ctx: StageContext<'admin.commands'>,
  ): Promise<StageResult> {
    if (command.command !== 'RETRAIN') return; // ROLLBACK and PROMOTE are the pusher's
    await this.guard.verify(command, ctx);
    return this.startRun.execute(command, ctx);
  }
}
