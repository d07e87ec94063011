import type { Frame } from '@netsentry/ml';
import type { LoadedModel } from '../model/model-holder';
import type { Rejection } from '../records/record-checker';

/** What one call of the served model's scoring path made of a batch of records. */
export interface ScoredRecords {
  /** Input indices of the records that passed the checks, in order; `scores[k]` is record `accepted[k]`'s. */
  readonly accepted: readonly number[];
  readonly rejected: readonly (Rejection & { readonly index: number })[];
  /** The accepted records as the frame that was scored (live drift observes it). */
  readonly frame: Frame;
  readonly scores: Float64Array;
  readonly scoringSeconds: number;
}

/** A record as scoring needs it: features by name, or dense values in a named order. */
export interface ScorableRecord {
  readonly features: Readonly<Record<string, unknown>>;
  readonly flat: boolean;
  readonly dense?: { readonly featureSet: string; readonly values: readonly unknown[] } | null;
}

/**
 * The one way inference scores: the model's record checks row by row into one frame, then one call of the
 * bundle's `scoreFrame` (preprocessing + model). The stream's batches and POST /predict both come here.
 */
export function scoreRecords(model: LoadedModel, records: readonly ScorableRecord[]): ScoredRecords {
  const builder = model.checker.frame(records.length);
  const accepted: number[] = [];
  const rejected: (Rejection & { index: number })[] = [];
  for (let i = 0; i < records.length; i++) {
    const record = records[i]!;
    const problem =
      record.dense === undefined || record.dense === null
        ? model.checker.append(record.features, record.flat, builder)
        : model.checker.appendDense(record.dense.featureSet, record.dense.values, builder);
    if (problem === null) accepted.push(i);
    else rejected.push({ ...problem, index: i });
  }
  const frame = builder.frame();
  const started = process.hrtime.bigint();
  const scores = frame.rows > 0 ? model.scorer.scoreFrame(frame) : new Float64Array(0);
  return {
    accepted,
    rejected,
    frame,
    scores,
    scoringSeconds: Number(process.hrtime.bigint() - started) / 1e9,
  };
}

/** The served model's verdict for a score: positive at or above its threshold, in the dataset's label names. */
export function verdict(model: LoadedModel, score: number): { isPositive: boolean; label: string } {
  const isPositive = score >= model.threshold;
  return { isPositive, label: isPositive ? model.labels.positive : model.labels.negative };
}
