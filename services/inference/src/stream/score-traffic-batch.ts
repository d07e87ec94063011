import { Inject, Injectable } from '@nestjs/common';
import { CodedError } from '@netsentry/contracts';
import type { LiveDriftReport } from '@netsentry/ml';
import { LOGGER, type Logger } from '@netsentry/observability';
import type {
  BatchOutput,
  BatchRejection,
  BatchResult,
  InboundMessage,
  StageBatch,
} from '@netsentry/runtime';
import { InferenceMetrics } from '../inference.metrics';
import { ModelHolder } from '../model/model-holder';
import { decodeErrorCode } from '../records/live-record';
import { CHUNK_SCORER, type ChunkScorer } from '../scoring/chunk-scorer';
import { packChunk } from '../scoring/score-chunk';

export const ENVELOPE_PRODUCER = Symbol('ENVELOPE_PRODUCER');

/** Thrown while no model is loaded (cannot happen once the consumer runs: it starts after the first load). */
export class NoModelLoadedError extends Error {
  readonly code = 'NO_MODEL';
  constructor() {
    super('no model loaded');
    this.name = 'NoModelLoadedError';
  }
}

/** A live record refused by decoding or by the model's checks, with the reason code scoring gave. */
export class RefusedRecordError extends CodedError<string> {
  override readonly retryable = false;
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Scores one chunk of live records: decoding (Avro or JSON, per message), the served model's record checks
 * (refused records go to traffic.dlq with their reason code), one frame, one call of the bundle's scoring
 * path, one prediction per accepted record keyed by its record id, and the live drift window — all on the
 * scoring thread (decision 0107) — emitted in the chunk's transaction; the metrics are kept here.
 */
@Injectable()
export class ScoreTrafficBatch {
  constructor(
    private readonly models: ModelHolder,
    private readonly metrics: InferenceMetrics,
    @Inject(CHUNK_SCORER) private readonly scorer: ChunkScorer,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async execute(batch: StageBatch<InboundMessage>): Promise<BatchResult> {
    for (const u of batch.undecodable) this.metrics.deadLettered(decodeErrorCode(u.error));
    const model = this.models.current;
    if (model === null) throw new NoModelLoadedError();
    const messages = batch.records.map((r) => r.message);
    const scored = await this.scorer.score(
      packChunk(model.version, batch.kafkaTopic, batch.partition, batch.receivedAt, messages),
      model,
    );
    const rejected: BatchRejection[] = scored.rejected.map((r) => {
      this.metrics.deadLettered(r.code);
      return { message: messages[r.index]!, error: new RefusedRecordError(r.code, r.reason) };
    });
    this.metrics.consumed(messages.length + batch.undecodable.length);
    const n = scored.accepted;
    const outputs: BatchOutput[] = new Array<BatchOutput>(n);
    if (n > 0) {
      this.metrics.scored(n, scored.scoringSeconds);
      const bytes = Buffer.from(
        scored.predictions.buffer,
        scored.predictions.byteOffset,
        scored.predictions.byteLength,
      );
      const spans = scored.predictionSpans;
      for (let k = 0; k < n; k++) {
        const start = spans[k * 2]!;
        outputs[k] = {
          topic: 'traffic.predictions',
          key: scored.keys[k]!,
          value: bytes.subarray(start, start + spans[k * 2 + 1]!),
        };
      }
      for (const ms of scored.endToEndMs) this.metrics.endToEnd(ms / 1000);
      this.metrics.predicted(scored.labels.positive, scored.positives);
      this.metrics.predicted(scored.labels.negative, n - scored.positives);
    }
    const { report, alert } = scored.drift;
    if (report !== null) this.metrics.drift(report.features, report.shareDrifted);
    if (alert !== null) {
      this.metrics.driftAlert(alert.action);
      this.logger.warn(
        {
          modelVersion: scored.version,
          action: alert.action,
          shareDrifted: alert.shareDrifted,
          drifted: alert.drifted,
          reason: alert.reason,
        },
        'live traffic drifted from the training profile',
      );
    }
    for (const o of scored.drift.outputs) {
      outputs.push({
        topic: o.topic,
        key: o.key,
        value: Buffer.from(o.value.buffer, o.value.byteOffset, o.value.byteLength),
      });
    }
    return { outputs, rejected };
  }

  /** The latest drift evaluation (for the status endpoint and tests). */
  get latestDrift(): LiveDriftReport | null {
    return this.scorer.latestDrift;
  }
}
