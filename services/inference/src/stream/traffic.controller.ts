import { Controller } from '@nestjs/common';
import type { ModelPushed } from '@netsentry/contracts';
import { StageBatchHandler, StageHandler, type BatchResult, type StageBatch } from '@netsentry/runtime';
import { ModelHolder } from '../model/model-holder';
import { decodeTrafficRecord, type LiveRecord } from '../records/live-record';
import { ScoreTrafficBatch } from './score-traffic-batch';

/** The Kafka side of inference: live records in batches, and model.pushed on every replica. */
@Controller()
export class TrafficController {
  constructor(
    private readonly scoreBatch: ScoreTrafficBatch,
    private readonly models: ModelHolder,
  ) {}

  @StageBatchHandler('traffic.records', { decode: decodeTrafficRecord })
  onTraffic(batch: StageBatch<LiveRecord>): BatchResult {
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
