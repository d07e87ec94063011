import { Inject, Injectable, Optional } from '@nestjs/common';
import type { EventByTopic } from '@netsentry/contracts';
import { Metrics } from '@netsentry/observability';
import { stageConfig, type Run } from '@netsentry/registry';
import {
  ARTIFACT_STORE,
  emit,
  NonRetryableError,
  RECORD_STORE,
  REGISTRY,
  type StageContext,
  type StageResult,
} from '@netsentry/runtime';
import {
  ingestSnapshot,
  type IngestionArtifacts,
  type IngestionRecords,
  type IngestionRegistry,
} from './ingest-snapshot';
import { INGESTION_SETTINGS, type IngestionSettings } from './ingestion.config';

/** A run's id is derived from the RETRAIN command, so a redelivered command continues the same run. */
export function runIdFor(commandEventId: string): string {
  return `run-${commandEventId}`;
}

const when = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, 'Z');
const minutes = (ms: number): string => `${Math.round(ms / 60_000)} min`;

/** The part of a handler's context a use case needs: the event's envelope and its logger. */
export type UseCaseContext = Pick<StageContext, 'envelope' | 'logger'>;

/**
 * A verified RETRAIN → a run of the dataset opened (refused while another one runs) → the dataset's records
 * exported to a snapshot and split into train and test, with their lineage → data.ingested.
 */
@Injectable()
export class StartRetrainRun {
  private readonly refusals: ReturnType<Metrics['counter']> | undefined;

  constructor(
    @Inject(RECORD_STORE) private readonly records: IngestionRecords,
    @Inject(ARTIFACT_STORE) private readonly artifacts: IngestionArtifacts,
    @Inject(REGISTRY) private readonly registry: IngestionRegistry,
    @Inject(INGESTION_SETTINGS) private readonly settings: IngestionSettings,
    @Optional() @Inject(Metrics) metrics?: Metrics,
  ) {
    this.refusals = metrics?.counter(
      'netsentry_ingestion_retrain_refused_total',
      'Signed RETRAIN commands refused because a run of the same dataset was in progress',
      ['dataset'],
    );
  }

  async execute(command: EventByTopic['admin.commands'], ctx: UseCaseContext): Promise<StageResult> {
    const dataset = command.datasetName ?? this.settings.NETSENTRY_DEFAULT_DATASET;
    const runId = runIdFor(ctx.envelope.eventId);
    // A redelivered command continues its own run; a new one waits for the dataset's run in progress.
    if ((await this.registry.runs.get(runId)) === null) await this.refuseWhileRunning(dataset, ctx);
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

  /**
   * Never two runs of one dataset at once: a RETRAIN while one is running is refused (pipeline.dlq,
   * RUN_IN_PROGRESS) with the run named. A run started longer ago than NETSENTRY_INGESTION_RUN_MAX_AGE is
   * taken as abandoned — a stage dead-lettered it or crashed — and does not block; the log says so.
   */
  private async refuseWhileRunning(dataset: string, ctx: UseCaseContext): Promise<void> {
    const maxAge = this.settings.NETSENTRY_INGESTION_RUN_MAX_AGE;
    const now = Date.now();
    const running = await this.registry.runs.list({ status: 'running', dataset, limit: 50 });
    const fresh = (r: Run): boolean => now - r.startedAt.getTime() <= maxAge;
    const abandoned = running.filter((r) => !fresh(r));
    if (abandoned.length > 0) {
      ctx.logger.warn(
        { dataset, abandoned: abandoned.map((r) => r.runId), maxAgeMs: maxAge },
        `runs of ${dataset} still 'running' after more than ${minutes(maxAge)}: taken as abandoned, not blocking`,
      );
    }
    const active = running.find(fresh);
    if (active === undefined) return;
    const reason =
      `RETRAIN of ${dataset} refused: run ${active.runId} of this dataset is in progress (started ` +
      `${when(active.startedAt)}, ${minutes(now - active.startedAt.getTime())} ago); send it again when ` +
      `that run has ended. A run still running after ${minutes(maxAge)} (NETSENTRY_INGESTION_RUN_MAX_AGE) ` +
      'is taken as abandoned and no longer blocks retraining';
    this.refusals?.inc({ dataset });
    ctx.logger.warn({ code: 'RUN_IN_PROGRESS', dataset, running: active.runId, reason }, 'RETRAIN refused');
    throw new NonRetryableError(reason, 'RUN_IN_PROGRESS');
  }
}
