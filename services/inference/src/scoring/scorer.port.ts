/**
 * What the HTTP layer (POST /predict, the analyst page) needs from the scoring side of inference: the model
 * being served, and scoring of raw rows through the same bundle and the same record checks as the stream.
 */
export const SCORER = Symbol('SCORER');

/** The model an inference instance serves right now. */
export interface ServedModel {
  readonly version: string;
  readonly dataset: string;
  /** Raw input columns the model reads, by the dataset's own names (e.g. `Flow Bytes/s`), in schema order. */
  readonly features: readonly string[];
  /** The id of that order (`featureSetId`), which dense `traffic.records` must name. */
  readonly featureSet: string;
  /** score ≥ threshold → positive. */
  readonly threshold: number;
  readonly labels: { readonly positive: string; readonly negative: string };
}

/** One row's verdict; `row` is its 0-based index in the request. */
export interface RowPrediction {
  readonly row: number;
  readonly recordId: string;
  readonly score: number;
  readonly label: string;
  readonly isPositive: boolean;
}

/** A row refused by the record checks (missing or unexpected feature, wrong type, value not allowed…). */
export interface RowRejection {
  readonly row: number;
  readonly recordId: string;
  /** Machine-readable reason, e.g. MISSING_FEATURE, UNEXPECTED_FEATURE, WRONG_TYPE, NOT_FINITE, NOT_ALLOWED. */
  readonly code: string;
  readonly reason: string;
}

export interface ScoredRows {
  readonly model: ServedModel;
  readonly predictions: readonly RowPrediction[];
  readonly rejected: readonly RowRejection[];
  readonly scoringMs: number;
}

/** Thrown by `scoreRows` while no model is loaded (HTTP 503). */
export class NoModelError extends Error {
  readonly code = 'NO_MODEL';
  constructor(message = 'no production model is loaded yet') {
    super(message);
    this.name = 'NoModelError';
  }
}

export interface Scorer {
  /** The model being served, or null while none is loaded. */
  served(): ServedModel | null;
  /**
   * Scores raw rows keyed by the dataset's column names; values are numbers, strings or null (missing).
   * `recordId` and `source`, when present in a row, are taken as the record's id and origin, not features.
   * Throws NoModelError while no model is loaded.
   */
  scoreRows(rows: readonly Readonly<Record<string, unknown>>[]): ScoredRows;
}
