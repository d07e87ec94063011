import type { Column, Frame } from '../frame';
import type { AcceptanceCheck, AcceptancePolicy } from './acceptance';
import type { BinaryMetrics } from './metrics';

/**
 * The evaluator's report, one JSON artifact per evaluated model (kind `report/evaluation`): both models'
 * metrics on the same held-out test set, the verdict with every reason, and a sample of raw test records
 * with the candidate's scores. The pusher loads the bundle on its own and must reproduce those scores
 * before it moves the production alias.
 */
export const EVALUATION_REPORT_FORMAT = 'netsentry/evaluation-report@1';
export const EVALUATION_REPORT_KIND = 'report/evaluation';

/** A frame as JSON: numeric NaN (missing) is written as null. */
export interface FrameJson {
  readonly rows: number;
  readonly columns: readonly (
    | { readonly kind: 'numeric'; readonly name: string; readonly values: readonly (number | null)[] }
    | { readonly kind: 'categorical'; readonly name: string; readonly values: readonly (string | null)[] }
  )[];
}

export interface EvaluationReport {
  readonly format: typeof EVALUATION_REPORT_FORMAT;
  readonly runId: string;
  readonly modelVersion: string;
  readonly bundle: { readonly uri: string; readonly sha256: string };
  /** The test split the models were scored on. */
  readonly testSet: { readonly uri: string; readonly sha256: string; readonly rows: number };
  readonly policy: AcceptancePolicy;
  readonly candidate: { readonly test: BinaryMetrics; readonly train: BinaryMetrics };
  readonly production: { readonly version: string; readonly test: BinaryMetrics } | null;
  /**
   * The version the production alias of the candidate's dataset pointed at when the candidate was evaluated
   * (compared or not; null: no production model of that dataset). The pusher refuses to push when production has moved since: the decision is stale. Absent
   * in reports written before the field existed.
   */
  readonly productionAtEvaluation?: string | null;
  readonly accepted: boolean;
  readonly verdict: 'BEATS_PRODUCTION' | 'FLOORS_ONLY' | 'REJECTED';
  /** Every check in words, passed or not, plus a note on production when it was not compared. */
  readonly reasons: readonly string[];
  /** The failed checks in words (empty when accepted). */
  readonly failed: readonly string[];
  readonly failedChecks: readonly (AcceptanceCheck | 'SCORING_ERROR')[];
  /** Raw test records and the candidate's P(positive) for each, as the evaluator computed them. */
  readonly samples: { readonly records: FrameJson; readonly scores: readonly number[] };
  /** ISO 8601, UTC. */
  readonly evaluatedAt: string;
}

export class EvaluationReportError extends Error {
  constructor(message: string) {
    super(`evaluation report: ${message}`);
    this.name = 'EvaluationReportError';
  }
}

export function frameToJson(frame: Frame): FrameJson {
  return {
    rows: frame.rows,
    columns: frame.columns.map((c) =>
      c.kind === 'numeric'
        ? {
            kind: 'numeric' as const,
            name: c.name,
            values: Array.from(c.values, (v) => (Number.isNaN(v) ? null : v)),
          }
        : { kind: 'categorical' as const, name: c.name, values: [...c.values] },
    ),
  };
}

export function frameFromJson(json: FrameJson): Frame {
  const columns = json.columns.map((c): Column => {
    if (c.values.length !== json.rows) {
      throw new EvaluationReportError(
        `column '${c.name}' has ${c.values.length} values for ${json.rows} rows`,
      );
    }
    if (c.kind === 'numeric') {
      return {
        kind: 'numeric',
        name: c.name,
        values: Float64Array.from(c.values, (v) => (v === null ? Number.NaN : v)),
      };
    }
    return { kind: 'categorical', name: c.name, values: [...c.values] };
  });
  return { rows: json.rows, columns };
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Parses a report's JSON text, checking the parts the pusher relies on (identity, bundle, samples). */
export function parseEvaluationReport(text: string | Buffer): EvaluationReport {
  let data: unknown;
  try {
    data = JSON.parse(typeof text === 'string' ? text : text.toString('utf8'));
  } catch (e) {
    throw new EvaluationReportError(`not JSON: ${(e as Error).message}`);
  }
  if (!isObject(data)) throw new EvaluationReportError('not an object');
  if (data.format !== EVALUATION_REPORT_FORMAT) {
    throw new EvaluationReportError(
      `format is ${JSON.stringify(data.format)}, expected ${EVALUATION_REPORT_FORMAT}`,
    );
  }
  for (const key of ['runId', 'modelVersion'] as const) {
    if (typeof data[key] !== 'string') throw new EvaluationReportError(`${key} must be a string`);
  }
  const bundle = data.bundle;
  if (!isObject(bundle) || typeof bundle.uri !== 'string' || typeof bundle.sha256 !== 'string') {
    throw new EvaluationReportError('bundle must hold its uri and sha256');
  }
  const samples = data.samples;
  if (!isObject(samples) || !isObject(samples.records) || !Array.isArray(samples.scores)) {
    throw new EvaluationReportError('samples must hold records and scores');
  }
  const records = samples.records;
  if (typeof records.rows !== 'number' || !Array.isArray(records.columns)) {
    throw new EvaluationReportError('samples.records must be a frame (rows, columns)');
  }
  if (samples.scores.length !== records.rows || !samples.scores.every((s) => typeof s === 'number')) {
    throw new EvaluationReportError(`samples.scores must be ${records.rows} numbers`);
  }
  for (const c of records.columns as unknown[]) {
    if (
      !isObject(c) ||
      typeof c.name !== 'string' ||
      (c.kind !== 'numeric' && c.kind !== 'categorical') ||
      !Array.isArray(c.values)
    ) {
      throw new EvaluationReportError('samples.records has a malformed column');
    }
  }
  return data as unknown as EvaluationReport;
}
