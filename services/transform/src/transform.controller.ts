import { Controller, Inject } from '@nestjs/common';
import type { EventByTopic } from '@netsentry/contracts';
import { StageHandler, type StageContext, type StageResult } from '@netsentry/runtime';
import { TransformSnapshot } from './transform-snapshot';

@Controller()
export class TransformController {
  constructor(@Inject(TransformSnapshot) private readonly transform: TransformSnapshot) {}

  @StageHandler('data.validated')
  onValidated(
    event: EventByTopic['data.validated'],
    ctx: StageContext<'data.validated'>,
  ): Promise<StageResult> {
    return this.transform.execute(event, ctx);
  }
}
