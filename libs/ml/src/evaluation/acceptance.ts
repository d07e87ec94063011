import type { BinaryMetrics } from './metrics';

export type MetricName = 'f1' | 'precision' | 'recall' | 'accuracy' | 'rocAuc' | 'prAuc';

export interface AcceptancePolicy {
  /** The metric that decides (default f1 on the positive class). */
  readonly metric: MetricName;
  /** Absolute floor of that metric on the held-out test set. */
  readonly minimum: number;
  /** Largest acceptable train − test gap of that metric (overfitting guard; default 0.05). */
  readonly maxTrainTestGap: number;
  /** How much the candidate must beat production by (default 0.02). */
  readonly margin: number;
}

export const DEFAULT_ACCEPTANCE: AcceptancePolicy = {
  metric: 'f1',
  minimum: 0.9,
  maxTrainTestGap: 0.05,
  margin: 0.02,
};

export interface AcceptanceInput {
  readonly candidate: { readonly test: BinaryMetrics; readonly train: BinaryMetrics };
  /** Production's metrics on the same test set, or null when nothing is in production. */
  readonly production: { readonly version: string; readonly test: BinaryMetrics } | null;
  readonly policy: AcceptancePolicy;
  /**
   * Without a production comparison, why — said once, in place of the default
   * 'no production model: the floors alone decide' (e.g. "no production model for dataset 'phishing'…").
   */
  readonly withoutProduction?: string;
}

/** The checks of the acceptance rule, named as `model.quarantined.failedChecks` names them. */
export type AcceptanceCheck = 'METRIC_FLOOR' | 'TRAIN_TEST_GAP' | 'PRODUCTION_MARGIN';

export interface AcceptanceCheckResult {
  readonly check: AcceptanceCheck;
  readonly ok: boolean;
  /** The outcome in words. */
  readonly text: string;
}

export interface AcceptanceVerdict {
  readonly accepted: boolean;
  /** Every check, in words, passed or not: "f1 0.951 < required 0.960". */
  readonly reasons: readonly string[];
  /** The failed checks' texts. */
  readonly failed: readonly string[];
  /** The failed checks' codes, in rule order. */
  readonly failedChecks: readonly AcceptanceCheck[];
  readonly checks: readonly AcceptanceCheckResult[];
}

const f3 = (x: number): string => x.toFixed(3);

/**
 * The evaluator's rule: the candidate must clear the absolute floor and the train/test gap, and beat the
 * production model by the margin on the same test set; with no production model the floors alone decide.
 */
export function decideAcceptance(input: AcceptanceInput): AcceptanceVerdict {
  const { metric, minimum, maxTrainTestGap, margin } = input.policy;
  const test = input.candidate.test[metric];
  const train = input.candidate.train[metric];
  const checks: AcceptanceCheckResult[] = [];

  checks.push(
    test >= minimum
      ? { check: 'METRIC_FLOOR', ok: true, text: `${metric} ${f3(test)} >= required ${f3(minimum)}` }
      : { check: 'METRIC_FLOOR', ok: false, text: `${metric} ${f3(test)} < required ${f3(minimum)}` },
  );
  const gap = train - test;
  checks.push(
    gap <= maxTrainTestGap
      ? { check: 'TRAIN_TEST_GAP', ok: true, text: `train/test gap ${f3(gap)} <= ${f3(maxTrainTestGap)}` }
      : {
          check: 'TRAIN_TEST_GAP',
          ok: false,
          text: `train/test gap ${f3(gap)} > ${f3(maxTrainTestGap)} (train ${f3(train)}, test ${f3(test)})`,
        },
  );
  if (input.production) {
    const current = input.production.test[metric];
    const needed = current + margin;
    checks.push(
      test >= needed - 1e-12
        ? {
            check: 'PRODUCTION_MARGIN',
            ok: true,
            text: `${metric} ${f3(test)} beats production ${input.production.version} (${f3(current)}) by >= ${f3(margin)}`,
          }
        : {
            check: 'PRODUCTION_MARGIN',
            ok: false,
            text: `${metric} ${f3(test)} does not beat production ${input.production.version} (${f3(current)}) by the margin ${f3(margin)}: needs >= ${f3(needed)}`,
          },
    );
  } else {
    checks.push({
      check: 'PRODUCTION_MARGIN',
      ok: true,
      text: input.withoutProduction ?? 'no production model: the floors alone decide',
    });
  }
  const failing = checks.filter((c) => !c.ok);
  return {
    accepted: failing.length === 0,
    reasons: checks.map((c) => c.text),
    failed: failing.map((c) => c.text),
    failedChecks: failing.map((c) => c.check),
    checks,
  };
}
