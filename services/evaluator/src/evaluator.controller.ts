import { Controller } from '@nestjs/common';
import type { EventByTopic } from '@netsentry/contracts';
import { StageHandler, type StageContext, type StageResult } from '@netsentry/runtime';
import { EvaluateCandidate } from './evaluate-candidate';

@Controller()
export class EvaluatorController {
  constructor(private readonly evaluateCandidate: EvaluateCandidate) {}

  @StageHandler('model.trained')
  onTrained(event: EventByTopic['model.trained'], ctx: StageContext<'model.trained'>): Promise<StageResult> {
    return this.evaluateCandidate.execute(event, ctx);
  }
}
