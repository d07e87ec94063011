import { Controller } from '@nestjs/common';
import type { ModelPushed } from '@netsentry/contracts';
import {
  StageBatchHandler,
  StageHandler,
  type BatchResult,
  type InboundMessage,
  type StageBatch,
} from '@netsentry/runtime';
import { ModelHolder } from '../model/model-holder';
import { ScoreTrafficBatch } from './score-traffic-batch';

/** The Kafka side of inference: live records in batches, and model.pushed on every replica. */
@Controller()
export class TrafficController {
  constructor(
    private readonly scoreBatch: ScoreTrafficBatch,
    private readonly models: ModelHolder,
  ) {}

  // Decoded on the scoring thread with the rest of the work (decision 0107): the runtime passes the bytes.
  @StageBatchHandler('traffic.records', { decode: (message) => message })
  onTraffic(batch: StageBatch<InboundMessage>): Promise<BatchResult> {
    return this.scoreBatch.execute(batch);
  }

  /** A push, rollback or promotion: load the dataset's production model in the background and swap. */
  @StageHandler('model.pushed', { broadcast: true })
  async onModelPushed(event: ModelPushed): Promise<void> {
    // Another dataset's production moved: not ours (v1 events carry no dataset; the registry decides).
    if (event.dataset !== '' && event.dataset !== this.models.dataset) return;
    await this.models.refresh(`model.pushed ${event.action} ${event.dataset} ${event.modelVersion}`);
  }
}
