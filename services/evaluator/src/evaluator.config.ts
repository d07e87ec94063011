import { defineConfig, float, int, oneOf, type ConfigSection } from '@netsentry/config';
import type { AcceptancePolicy } from '@netsentry/ml';

/** The evaluator's acceptance policy (`NETSENTRY_EVALUATOR_*`), validated at start-up. */
export const evaluatorSection = defineConfig({
  NETSENTRY_EVALUATOR_METRIC: oneOf(['f1', 'precision', 'recall', 'accuracy', 'rocAuc', 'prAuc'], {
    default: 'f1',
    description: 'metric that decides, on the positive class of the held-out test set',
  }),
  NETSENTRY_EVALUATOR_MIN_SCORE: float({
    default: 0.9,
    min: 0,
    max: 1,
    description: "floor of the decision metric on the test set ('f1 0.951 < required 0.960')",
  }),
  NETSENTRY_EVALUATOR_MAX_GAP: float({
    default: 0.05,
    min: 0,
    max: 1,
    description: 'largest train − test difference of the decision metric (overfitting guard)',
  }),
  NETSENTRY_EVALUATOR_MARGIN: float({
    default: 0.02,
    min: 0,
    max: 1,
    description: 'how much the candidate must beat the production model by on the same test set',
  }),
  NETSENTRY_EVALUATOR_SAMPLES: int({
    default: 64,
    min: 1,
    max: 10_000,
    description: 'test records (with their scores) kept in the report for the pusher to re-score',
  }),
  NETSENTRY_EVALUATOR_WORKERS: int({
    min: 1,
    max: 64,
    optional: true,
    description:
      "worker threads that preprocess and score the test and train sets (off the event loop); default: the machine's available parallelism",
  }),
});

/** The evaluator's settings as loaded (`configProvider(EVALUATOR_SETTINGS, evaluatorSection)`). */
export type EvaluatorSettings = typeof evaluatorSection extends ConfigSection<infer T> ? T : never;
export const EVALUATOR_SETTINGS = Symbol('EVALUATOR_SETTINGS');

/** The acceptance policy the settings describe. */
export function acceptancePolicyOf(s: EvaluatorSettings): AcceptancePolicy {
  return {
    metric: s.NETSENTRY_EVALUATOR_METRIC,
    minimum: s.NETSENTRY_EVALUATOR_MIN_SCORE,
    maxTrainTestGap: s.NETSENTRY_EVALUATOR_MAX_GAP,
    margin: s.NETSENTRY_EVALUATOR_MARGIN,
  };
}
