import { Inject, Injectable } from '@nestjs/common';
import { ContractRegistry, messageKey, type TrafficPrediction } from '@netsentry/contracts';
import { LOGGER, type Logger } from '@netsentry/observability';
import {
  uuidV5,
  type BatchOutput,
  type BatchRejection,
  type BatchResult,
  type StageBatch,
} from '@netsentry/runtime';
import { DriftWatch } from '../drift/drift-watch';
import { INFERENCE_CONFIG, type InferenceSettings } from '../inference.config';
import { InferenceMetrics } from '../inference.metrics';
import { ModelHolder } from '../model/model-holder';
import { decodeErrorCode, type LiveRecord } from '../records/live-record';
import { RecordError } from '../records/record-error';
import { scoreRecords, verdict } from '../scoring/score-records';

export const ENVELOPE_PRODUCER = Symbol('ENVELOPE_PRODUCER');

/** Thrown while no model is loaded (cannot happen once the consumer runs: it starts after the first load). */
export class NoModelLoadedError extends Error {
  readonly code = 'NO_MODEL';
  constructor() {
    super('no model loaded');
    this.name = 'NoModelLoadedError';
  }
}

/**
 * Scores one batch of live records: the served model's record checks (refused records go to traffic.dlq
 * with their reason code), one frame, one call of the bundle's scoring path, one prediction per accepted
 * record keyed by its record id, and the live drift window — all emitted in the batch's transaction.
 */
@Injectable()
export class ScoreTrafficBatch {
  private readonly contracts = ContractRegistry.bundled();
  private readonly drift: DriftWatch;

  constructor(
    private readonly models: ModelHolder,
    private readonly metrics: InferenceMetrics,
    @Inject(INFERENCE_CONFIG) config: InferenceSettings,
    @Inject(ENVELOPE_PRODUCER) private readonly producer: { service: string; version: string },
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.drift = new DriftWatch(config.drift, producer, config.dataset, config.adminSecret);
  }

  execute(batch: StageBatch<LiveRecord>): BatchResult {
    for (const u of batch.undecodable) this.metrics.deadLettered(decodeErrorCode(u.error));
    const model = this.models.current;
    if (model === null) throw new NoModelLoadedError();
    const records = batch.records;
    const scored = scoreRecords(
      model,
      records.map((r) => r.value),
    );
    const rejected: BatchRejection[] = scored.rejected.map((r) => {
      this.metrics.deadLettered(r.code);
      return { message: records[r.index]!.message, error: new RecordError(r.code, r.reason) };
    });
    this.metrics.consumed(records.length + batch.undecodable.length);

    const outputs: BatchOutput[] = [];
    const { accepted, scores } = scored;
    if (accepted.length > 0) {
      this.metrics.scored(accepted.length, scored.scoringSeconds);
      const now = Date.now();
      const scoringMs = scored.scoringSeconds * 1000;
      const latencyMs = now - batch.receivedAt;
      let positives = 0;
      const observedAt = new Float64Array(accepted.length);
      for (let k = 0; k < accepted.length; k++) {
        const r = records[accepted[k]!]!;
        const record = r.value;
        const score = scores[k]!;
        const { isPositive, label } = verdict(model, score);
        if (isPositive) positives++;
        const produced = r.message.timestamp;
        const endToEndMs = produced === null ? null : now - produced;
        if (endToEndMs !== null) this.metrics.endToEnd(endToEndMs / 1000);
        observedAt[k] = record.observedAt ?? now;
        const eventId = uuidV5(
          `inference/${r.message.kafkaTopic}/${r.message.partition}/${r.message.offset}`,
        );
        const prediction: TrafficPrediction = {
          envelope: {
            eventId,
            runId: null,
            correlationId: record.correlationId ?? eventId,
            causationId: record.eventId,
            producer: this.producer,
            occurredAt: now,
            schemaVersion: 0,
          },
          recordId: record.recordId,
          source: record.source,
          dataset: model.dataset,
          score,
          label,
          isPositive,
          modelVersion: model.version,
          latencyMs,
          threshold: model.threshold,
          explanation: null,
          scoringMs,
          endToEndMs,
        };
        outputs.push({
          topic: 'traffic.predictions',
          key: messageKey('traffic.predictions', prediction),
          value: this.contracts.encode('traffic.predictions', prediction),
        });
      }
      this.metrics.predicted(model.labels.positive, positives);
      this.metrics.predicted(model.labels.negative, accepted.length - positives);

      const { report, emission } = this.drift.observe(model, scored.frame, observedAt, now);
      if (report !== null) this.metrics.drift(report.features, report.shareDrifted);
      if (emission !== null) {
        this.metrics.driftAlert(emission.alert.action);
        this.logger.warn(
          {
            modelVersion: model.version,
            action: emission.alert.action,
            shareDrifted: emission.report.shareDrifted,
            drifted: emission.report.features.filter((f) => f.drifted).map((f) => f.feature),
            reason: emission.decision.reason,
          },
          'live traffic drifted from the training profile',
        );
        outputs.push({
          topic: 'monitoring.drift',
          key: messageKey('monitoring.drift', emission.alert),
          value: this.contracts.encode('monitoring.drift', emission.alert),
        });
        if (emission.retrain !== null) {
          outputs.push({
            topic: 'admin.commands',
            key: messageKey('admin.commands', emission.retrain),
            value: this.contracts.encode('admin.commands', emission.retrain),
          });
        }
      }
    }
    return { outputs, rejected };
  }

  /** The latest drift evaluation (for the status endpoint and tests). */
  get latestDrift(): ReturnType<DriftWatch['observe']>['report'] {
    return this.drift.latest;
  }
}
