import { Controller } from '@nestjs/common';
import type { EventByTopic } from '@netsentry/contracts';
import { StageHandler, type StageContext, type StageResult } from '@netsentry/runtime';
import { TrainModel } from './train-model';

@Controller()
export class TrainerController {
  constructor(private readonly trainModel: TrainModel) {}

  @StageHandler('data.transformed')
  onTransformed(
    event: EventByTopic['data.transformed'],
    ctx: StageContext<'data.transformed'>,
  ): Promise<StageResult> {
    return this.trainModel.execute(event, ctx);
  }
}
