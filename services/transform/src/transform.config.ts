import { defineConfig, float, int, oneOf } from '@netsentry/config';
import {
  DEFAULT_RESAMPLING_MAX_MINORITY_ROWS,
  DEFAULT_RESAMPLING_MIN_SHARE,
  RESAMPLING_POLICIES,
  type TransformSettings,
} from '@netsentry/ml';

/** Injection token of transform's settings (`@Inject(TRANSFORM_SETTINGS) settings: TransformStageSettings`). */
export const TRANSFORM_SETTINGS = Symbol('TRANSFORM_SETTINGS');

export interface TransformStageSettings {
  /** What the preprocessor and the resampling are fitted with (recorded with the run). */
  readonly transform: TransformSettings;
  /** Worker threads of the pool; undefined: the machine's available parallelism. */
  readonly workers: number | undefined;
}

/** Transform's settings (`NETSENTRY_TRANSFORM_*`), validated at start-up. */
export const transformSection = defineConfig(
  {
    NETSENTRY_TRANSFORM_IMPUTATION: oneOf(['knn', 'median'] as const, { default: 'knn' }),
    NETSENTRY_TRANSFORM_KNN_K: int({ default: 3, min: 1, max: 50 }),
    /**
     * The one resampling setting of the pipeline (the trainer's in-fold resampling follows what transform
     * did): `auto` rebalances only below NETSENTRY_TRANSFORM_RESAMPLING_MIN_SHARE (decision 0051) and
     * when the minority has fewer than NETSENTRY_TRANSFORM_RESAMPLING_MAX_MINORITY_ROWS rows (0101).
     */
    NETSENTRY_TRANSFORM_RESAMPLING: oneOf(RESAMPLING_POLICIES, { default: 'auto' }),
    NETSENTRY_TRANSFORM_RESAMPLING_MIN_SHARE: float({
      default: DEFAULT_RESAMPLING_MIN_SHARE,
      min: 0,
      max: 0.5,
    }),
    NETSENTRY_TRANSFORM_RESAMPLING_MAX_MINORITY_ROWS: int({
      default: DEFAULT_RESAMPLING_MAX_MINORITY_ROWS,
      min: 1,
    }),
    NETSENTRY_TRANSFORM_SMOTE_K: int({ default: 5, min: 1, max: 50 }),
    NETSENTRY_TRANSFORM_SEED: int({ default: 42 }),
    /**
     * Worker threads for the preprocessor's fit and encoding and SMOTE-Tomek's neighbour searches; default:
     * the machine's available parallelism.
     */
    NETSENTRY_TRANSFORM_WORKERS: int({ min: 1, max: 64, optional: true }),
  },
  (s): TransformStageSettings => ({
    transform: {
      imputation: s.NETSENTRY_TRANSFORM_IMPUTATION,
      knnK: s.NETSENTRY_TRANSFORM_KNN_K,
      resampling: s.NETSENTRY_TRANSFORM_RESAMPLING,
      resamplingMinShare: s.NETSENTRY_TRANSFORM_RESAMPLING_MIN_SHARE,
      resamplingMaxMinorityRows: s.NETSENTRY_TRANSFORM_RESAMPLING_MAX_MINORITY_ROWS,
      smoteK: s.NETSENTRY_TRANSFORM_SMOTE_K,
      seed: s.NETSENTRY_TRANSFORM_SEED,
    },
    workers: s.NETSENTRY_TRANSFORM_WORKERS,
  }),
);
