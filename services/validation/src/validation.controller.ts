import { Controller, Inject } from '@nestjs/common';
import type { EventByTopic } from '@netsentry/contracts';
import { StageHandler, type StageContext, type StageResult } from '@netsentry/runtime';
import { ValidateSnapshot } from './validate-snapshot';

@Controller()
export class ValidationController {
  constructor(@Inject(ValidateSnapshot) private readonly validate: ValidateSnapshot) {}

  @StageHandler('data.ingested')
  onIngested(event: EventByTopic['data.ingested'], ctx: StageContext<'data.ingested'>): Promise<StageResult> {
    return this.validate.execute(event, ctx);
  }
}
