import type { ClassCounts } from './class-counts';
import { PreprocessingError } from './errors';

/**
 * When transform rebalances the train split: `smote-tomek` always, `none` never, `auto` only when the
 * minority class's share of the train split is below a threshold (default 0.35, decision 0051: measured
 * F1 gains nothing from SMOTE-Tomek at phishing's 0.44 or NSL-KDD's 0.47) **and** the minority has fewer
 * than a number of rows (default 5,000, decision 0101: no measured gain from 5,986 to 32,262 minority rows,
 * while SMOTE-Tomek and the larger train cost minutes at 500k rows).
 */
export type ResamplingPolicy = 'auto' | 'smote-tomek' | 'none';

export const RESAMPLING_POLICIES = ['auto', 'smote-tomek', 'none'] as const;

/** `auto` resamples below this minority share of the train split. */
export const DEFAULT_RESAMPLING_MIN_SHARE = 0.35;

/** `auto` resamples only when the train split's minority class has fewer rows than this. */
export const DEFAULT_RESAMPLING_MAX_MINORITY_ROWS = 5_000;

export interface ResamplingDecision {
  readonly policy: ResamplingPolicy;
  /** What is done to the train split. */
  readonly method: 'smote-tomek' | 'none';
  /** The minority class's share of the train split, before resampling. */
  readonly minorityShare: number;
  /** The `auto` threshold; null for the other policies. */
  readonly minShare: number | null;
  /** Rows of the minority class in the train split, before resampling. */
  readonly minorityRows: number;
  /** `auto`'s limit on those rows; null for the other policies. */
  readonly maxMinorityRows: number | null;
  /** One line for the stage detail and lineage, e.g. "auto: minority share 0.47 ≥ 0.35, not resampled". */
  readonly reason: string;
}

/** Applies the policy to the train split's class counts. */
export function decideResampling(
  policy: ResamplingPolicy,
  counts: ClassCounts,
  minShare: number = DEFAULT_RESAMPLING_MIN_SHARE,
  maxMinorityRows: number = DEFAULT_RESAMPLING_MAX_MINORITY_ROWS,
): ResamplingDecision {
  if (!(minShare >= 0 && minShare <= 0.5)) {
    throw new PreprocessingError(
      'INVALID_ARGUMENT',
      `minority share threshold must be in 0..0.5, got ${minShare}`,
    );
  }
  if (!(Number.isInteger(maxMinorityRows) && maxMinorityRows >= 1)) {
    throw new PreprocessingError(
      'INVALID_ARGUMENT',
      `minority rows limit must be a whole number ≥ 1, got ${maxMinorityRows}`,
    );
  }
  const total = counts.negative + counts.positive;
  const minorityRows = Math.min(counts.negative, counts.positive);
  const minorityShare = total === 0 ? 0 : minorityRows / total;
  const share = formatShare(minorityShare, minShare);
  switch (policy) {
    case 'smote-tomek':
      return {
        policy,
        method: 'smote-tomek',
        minorityShare,
        minShare: null,
        minorityRows,
        maxMinorityRows: null,
        reason: `smote-tomek: always resampled (minority share ${share})`,
      };
    case 'none':
      return {
        policy,
        method: 'none',
        minorityShare,
        minShare: null,
        minorityRows,
        maxMinorityRows: null,
        reason: `none: never resampled (minority share ${share})`,
      };
    case 'auto': {
      const below = minorityShare < minShare;
      const few = minorityRows < maxMinorityRows;
      const rows = `${minorityRows.toLocaleString('en-US')} minority rows`;
      const limit = maxMinorityRows.toLocaleString('en-US');
      return {
        policy,
        method: below && few ? 'smote-tomek' : 'none',
        minorityShare,
        minShare,
        minorityRows,
        maxMinorityRows,
        reason: !below
          ? `auto: minority share ${share} ≥ ${minShare}, not resampled`
          : few
            ? `auto: minority share ${share} < ${minShare} and ${rows} < ${limit}, resampled with SMOTE-Tomek`
            : `auto: minority share ${share} < ${minShare} but ${rows} ≥ ${limit}, not resampled`,
      };
    }
  }
}

/** Two decimals, or as many as it takes not to print a share just below the threshold as equal to it. */
function formatShare(share: number, threshold: number): string {
  for (let digits = 2; digits < 8; digits++) {
    const s = share.toFixed(digits);
    if (Number(s) !== threshold || share === threshold) return s;
  }
  return String(share);
}
