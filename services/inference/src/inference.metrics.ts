import { Inject, Injectable, Optional } from '@nestjs/common';
import { Metrics } from '@netsentry/observability';

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const BATCH_BUCKETS = [1, 10, 50, 100, 250, 500, 1_000, 2_000, 5_000, 10_000];

/** Inference's own series (`netsentry_inference_*`); the runtime adds the shared stage series and lag. */
@Injectable()
export class InferenceMetrics {
  private readonly records;
  private readonly predictions;
  private readonly dlq;
  private readonly e2e;
  private readonly scoring;
  private readonly batchSize;
  private readonly modelInfo;
  private readonly swaps;
  private readonly driftScore;
  private readonly driftShare;
  private readonly driftAlerts;
  private readonly scoringInfo;
  private readonly scoringCrashes;
  private servedLabels: { version: string; dataset: string } | null = null;

  constructor(@Optional() @Inject(Metrics) metrics?: Metrics) {
    this.records = metrics?.counter(
      'netsentry_inference_records_total',
      'Live records consumed (scored or dead-lettered)',
    );
    this.predictions = metrics?.counter(
      'netsentry_inference_predictions_total',
      'Predictions produced, by predicted label',
      ['label'],
    );
    this.dlq = metrics?.counter(
      'netsentry_inference_dlq_total',
      'Live records sent to traffic.dlq, by reason code (MISSING_FEATURE, NOT_AVRO_OR_JSON, UNKNOWN_SCHEMA, …)',
      ['reason'],
    );
    this.e2e = metrics?.histogram(
      'netsentry_inference_e2e_latency_seconds',
      "From a record's Kafka timestamp to its prediction being produced",
      [],
      LATENCY_BUCKETS,
    );
    this.scoring = metrics?.histogram(
      'netsentry_inference_scoring_latency_seconds',
      'Preprocessing and scoring time of one batch',
      [],
      LATENCY_BUCKETS,
    );
    this.batchSize = metrics?.histogram(
      'netsentry_inference_batch_size',
      'Records per scored batch',
      [],
      BATCH_BUCKETS,
    );
    this.modelInfo = metrics?.gauge(
      'netsentry_inference_model_info',
      'The model version this instance serves (value 1; version and dataset in the labels)',
      ['version', 'dataset'],
    );
    this.swaps = metrics?.counter(
      'netsentry_inference_model_swaps_total',
      'Model loads on start-up or model.pushed, by outcome (swapped, failed, refused)',
      ['outcome'],
    );
    this.driftScore = metrics?.gauge(
      'netsentry_inference_drift_score',
      'Drift statistic of the live window against the training profile, per feature (PSI or Jensen-Shannon)',
      ['feature'],
    );
    this.driftShare = metrics?.gauge(
      'netsentry_inference_drift_share',
      'Share of monitored features drifting in the live window',
    );
    this.driftAlerts = metrics?.counter(
      'netsentry_inference_drift_alerts_total',
      'Drift alerts emitted on monitoring.drift, by action (ALERTED, RETRAIN_REQUESTED, COOLDOWN)',
      ['action'],
    );
    this.scoringInfo = metrics?.gauge(
      'netsentry_inference_scoring_info',
      'Where the stream is scored (value 1): mode="thread" (a worker thread) or "inline" (the main thread)',
      ['mode'],
    );
    this.scoringCrashes = metrics?.counter(
      'netsentry_inference_scoring_thread_crashes_total',
      'Scoring threads that died and were restarted',
    );
  }

  scoringMode(mode: 'thread' | 'inline'): void {
    this.scoringInfo?.set({ mode }, 1);
  }

  scoringThreadCrashed(): void {
    this.scoringCrashes?.inc();
  }

  consumed(count: number): void {
    this.records?.inc(count);
  }

  predicted(label: string, count: number): void {
    if (count > 0) this.predictions?.inc({ label }, count);
  }

  deadLettered(reason: string, count = 1): void {
    this.dlq?.inc({ reason }, count);
  }

  endToEnd(seconds: number): void {
    this.e2e?.observe(seconds);
  }

  scored(batchRows: number, seconds: number): void {
    this.batchSize?.observe(batchRows);
    this.scoring?.observe(seconds);
  }

  serving(version: string, dataset: string): void {
    if (this.servedLabels !== null) this.modelInfo?.remove(this.servedLabels);
    this.servedLabels = { version, dataset };
    this.modelInfo?.set(this.servedLabels, 1);
  }

  swap(outcome: 'swapped' | 'failed' | 'refused'): void {
    this.swaps?.inc({ outcome });
  }

  drift(features: readonly { feature: string; value: number }[], share: number): void {
    for (const f of features) this.driftScore?.set({ feature: f.feature }, f.value);
    this.driftShare?.set(share);
  }

  driftAlert(action: string): void {
    this.driftAlerts?.inc({ action });
  }
}
