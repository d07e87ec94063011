import type { DatasetSchema } from '@netsentry/dataset';

/** What happened to a replayed test split on its way through inference, as a reader of the topics sees it. */
export interface TrafficReport {
  /** Records produced to traffic.records. */
  readonly replayed: number;
  /** Distinct replayed records with a committed prediction. */
  readonly predicted: number;
  /** Predictions beyond the first for the same record (0 under exactly-once). */
  readonly duplicates: number;
  readonly deadLettered: number;
  readonly deadLetteredByReason: Readonly<Record<string, number>>;
  /** Replayed records with neither a prediction nor a dead letter when the wait ended. */
  readonly missing: number;
  readonly modelVersions: Readonly<Record<string, number>>;
  readonly labels: Readonly<Record<string, number>>;
  /** Predictions per second, first to last prediction. */
  readonly throughputPerSec: number | null;
  /** End-to-end latency (record produced → prediction produced), ms. */
  readonly p50Ms: number | null;
  readonly p99Ms: number | null;
  readonly maxMs: number | null;
  /** When the first prediction of the replay was produced (epoch ms), or null if none came. */
  readonly firstPredictionAtMs: number | null;
  readonly replayMs: number;
}

export interface ReplayRequest {
  readonly csvPath: string;
  readonly schema: DatasetSchema;
  readonly format: 'avro' | 'json';
  readonly rate?: number;
  readonly limit?: number;
  readonly env: NodeJS.ProcessEnv;
  readonly say: (line: string) => void;
  readonly signal: AbortSignal;
}

/** Replays a CSV as live traffic and accounts for every record (prediction or dead letter). */
export interface TrafficDriver {
  replayAndWatch(request: ReplayRequest): Promise<TrafficReport>;
}
