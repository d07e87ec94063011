import { Controller, Inject } from '@nestjs/common';
import type { ArtifactStore } from '@netsentry/artifacts';
import { loadConfig } from '@netsentry/config';
import type { EventByTopic } from '@netsentry/contracts';
import type { RecordStore } from '@netsentry/records';
import { stageConfig, type Registry } from '@netsentry/registry';
import {
  ARTIFACT_STORE,
  emit,
  RECORD_STORE,
  REGISTRY,
  StageHandler,
  type StageContext,
  type StageResult,
} from '@netsentry/runtime';
import { ingestionSection } from './ingestion.config';
import { ingestSnapshot } from './ingest-snapshot';

/** A run's id is derived from the RETRAIN command, so a redelivered command continues the same run. */
export function runIdFor(commandEventId: string): string {
  return `run-${commandEventId}`;
}

@Controller()
export class IngestionController {
  private readonly settings = loadConfig(ingestionSection);

  constructor(
    @Inject(RECORD_STORE) private readonly records: RecordStore,
    @Inject(ARTIFACT_STORE) private readonly artifacts: ArtifactStore,
    @Inject(REGISTRY) private readonly registry: Registry,
  ) {}

  @StageHandler('admin.commands')
  async onCommand(
    command: EventByTopic['admin.commands'],
    ctx: StageContext<'admin.commands'>,
  ): Promise<StageResult> {
    if (command.command !== 'RETRAIN') return; // ROLLBACK and PROMOTE are the pusher's
    const dataset = command.datasetName ?? this.settings.NETSENTRY_DEFAULT_DATASET;
    const runId = runIdFor(ctx.envelope.eventId);
    await this.registry.runs.openRun({
      runId,
      correlationId: ctx.envelope.correlationId,
      trigger: { commandId: ctx.envelope.eventId, reason: command.reason },
      dataset,
      startedAt: new Date(ctx.envelope.occurredAt),
    });
    const split = {
      testRatio: this.settings.NETSENTRY_SPLIT_TEST_RATIO,
      seed: this.settings.NETSENTRY_SPLIT_SEED,
      stratified: this.settings.NETSENTRY_SPLIT_STRATIFIED,
      duplicateAware: this.settings.NETSENTRY_SPLIT_DUPLICATE_AWARE,
    };
    const ingested = await ingestSnapshot(
      { records: this.records, artifacts: this.artifacts, registry: this.registry },
      { dataset, runId, eventId: ctx.envelope.eventId, asOf: new Date(ctx.envelope.occurredAt), split },
    );
    ctx.logger.info({ runId, dataset, rows: ingested.rows }, 'snapshot ingested');
    await this.registry.runs.recordStage(runId, 'ingestion', {
      status: 'succeeded',
      eventId: ctx.envelope.eventId,
      detail: `${ingested.rows.snapshot} rows: ${ingested.rows.train} train, ${ingested.rows.test} test`,
      config: stageConfig({ dataset, split }),
    });
    return emit('data.ingested', ingested, { runId });
  }
}
