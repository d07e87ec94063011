import { defineConfig, int, type ConfigSection } from '@netsentry/config';

/** Bounds of one `POST /predict` request; past either the request is refused with 413. */
export interface PredictLimits {
  /** Rows (JSON objects or CSV records) in one request. */
  readonly maxRows: number;
  /** Bytes of the request body (JSON or CSV), or of the uploaded file of a multipart request. */
  readonly maxBodyBytes: number;
}

/** Injection token of the `PredictLimits` the HTTP layer enforces. */
export const PREDICT_LIMITS = Symbol('PREDICT_LIMITS');

/**
 * 10,000 rows; 64 MiB, which holds 10,000 rows of the widest bundled dataset (CIC-IDS2017, 78 features with
 * long column names, about 2.7 KB a row as JSON) with room to spare, and bounds what one request can make
 * the process buffer.
 */
export const DEFAULT_PREDICT_LIMITS: PredictLimits = { maxRows: 10_000, maxBodyBytes: 64 * 1024 * 1024 };

/** `NETSENTRY_PREDICT_MAX_ROWS`, `NETSENTRY_PREDICT_MAX_BODY_BYTES` → `PredictLimits`. */
export function predictLimitsSection(): ConfigSection<PredictLimits> {
  return defineConfig(
    {
      NETSENTRY_PREDICT_MAX_ROWS: int({
        min: 1,
        default: DEFAULT_PREDICT_LIMITS.maxRows,
        description: 'Most rows one POST /predict request may hold (413 past it)',
      }),
      NETSENTRY_PREDICT_MAX_BODY_BYTES: int({
        min: 1024,
        default: DEFAULT_PREDICT_LIMITS.maxBodyBytes,
        description: 'Most bytes of a POST /predict body or uploaded CSV file (413 past it)',
      }),
    },
    (v): PredictLimits => ({
      maxRows: v.NETSENTRY_PREDICT_MAX_ROWS,
      maxBodyBytes: v.NETSENTRY_PREDICT_MAX_BODY_BYTES,
    }),
  );
}
