import type { ClassCounts } from './class-counts';
import { PreprocessingError } from './errors';

/**
 * When transform rebalances the train split: `smote-tomek` always, `none` never, `auto` only when the
 * minority class's share of the train split is below a threshold (default 0.35, decision 0051: measured
 * F1 gains nothing from SMOTE-Tomek at phishing's 0.44 or NSL-KDD's 0.47).
 */
export type ResamplingPolicy = 'auto' | 'smote-tomek' | 'none';

export const RESAMPLING_POLICIES = ['auto', 'smote-tomek', 'none'] as const;

/** `auto` resamples below this minority share of the train split. */
export const DEFAULT_RESAMPLING_MIN_SHARE = 0.35;

export interface ResamplingDecision {
  readonly policy: ResamplingPolicy;
  /** What is done to the train split. */
  readonly method: 'smote-tomek' | 'none';
  /** The minority class's share of the train split, before resampling. */
  readonly minorityShare: number;
  /** The `auto` threshold; null for the other policies. */
  readonly minShare: number | null;
  /** One line for the stage detail and lineage, e.g. "auto: minority share 0.47 ≥ 0.35, not resampled". */
  readonly reason: string;
}

/** Applies the policy to the train split's class counts. */
export function decideResampling(
  policy: ResamplingPolicy,
  counts: ClassCounts,
  minShare: number = DEFAULT_RESAMPLING_MIN_SHARE,
): ResamplingDecision {
  if (!(minShare >= 0 && minShare <= 0.5)) {
    throw new PreprocessingError(
      'INVALID_ARGUMENT',
      `minority share threshold must be in 0..0.5, got ${minShare}`,
    );
  }
  const total = counts.negative + counts.positive;
  const minorityShare = total === 0 ? 0 : Math.min(counts.negative, counts.positive) / total;
  const share = formatShare(minorityShare, minShare);
  switch (policy) {
    case 'smote-tomek':
      return {
        policy,
        method: 'smote-tomek',
        minorityShare,
        minShare: null,
        reason: `smote-tomek: always resampled (minority share ${share})`,
      };
    case 'none':
      return {
        policy,
        method: 'none',
        minorityShare,
        minShare: null,
        reason: `none: never resampled (minority share ${share})`,
      };
    case 'auto': {
      const below = minorityShare < minShare;
      return {
        policy,
        method: below ? 'smote-tomek' : 'none',
        minorityShare,
        minShare,
        reason: below
          ? `auto: minority share ${share} < ${minShare}, resampled with SMOTE-Tomek`
          : `auto: minority share ${share} ≥ ${minShare}, not resampled`,
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
