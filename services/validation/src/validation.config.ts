import { bool, defineConfig, float, int, str, type BuildContext } from '@netsentry/config';
import { DRIFT_METHODS, type ColumnDriftPolicy, type DriftMethod } from '@netsentry/ml';
import type { ValidationPolicy } from './validate-dataset';

/** Injection token of validation's policy (`@Inject(VALIDATION_POLICY) policy: ValidationPolicy`). */
export const VALIDATION_POLICY = Symbol('VALIDATION_POLICY');

const DRIFT_COLUMNS = 'NETSENTRY_VALIDATION_DRIFT_COLUMNS';
const OVERRIDE_KEYS = new Set(['method', 'threshold', 'ignore']);

/**
 * `{"col": {"method": "ks", "threshold": 0.01}}` checked whole at start-up: JSON, an object of objects,
 * known methods, thresholds ≥ 0, `ignore` true/false, no other keys. Which columns a dataset has, and
 * whether a method suits a column's type, can only be checked against the schema of each snapshot.
 */
export function parseDriftColumns(
  raw: string,
  ctx: Pick<BuildContext, 'problem'>,
): Record<string, ColumnDriftPolicy> {
  const problem = (message: string): Record<string, ColumnDriftPolicy> => {
    ctx.problem(DRIFT_COLUMNS, message);
    return {};
  };
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (err) {
    return problem(`not valid JSON (${(err as Error).message})`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return problem('expected a JSON object of column name → {"method", "threshold", "ignore"}');
  }
  const columns: Record<string, ColumnDriftPolicy> = {};
  const problems: string[] = [];
  for (const [column, value] of Object.entries(parsed)) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      problems.push(`"${column}": expected an object such as {"method": "ks", "threshold": 0.01}`);
      continue;
    }
    const entry = value as Record<string, unknown>;
    const unknown = Object.keys(entry).filter((k) => !OVERRIDE_KEYS.has(k));
    if (unknown.length > 0)
      problems.push(
        `"${column}": unknown key ${unknown.map((k) => `"${k}"`).join(', ')} (method, threshold, ignore)`,
      );
    const { method, threshold, ignore } = entry;
    if (
      method !== undefined &&
      !(typeof method === 'string' && (DRIFT_METHODS as readonly string[]).includes(method))
    ) {
      problems.push(
        `"${column}".method: expected one of ${DRIFT_METHODS.join(', ')}, got ${JSON.stringify(method)}`,
      );
    }
    if (
      threshold !== undefined &&
      !(typeof threshold === 'number' && Number.isFinite(threshold) && threshold >= 0)
    ) {
      problems.push(`"${column}".threshold: expected a number >= 0, got ${JSON.stringify(threshold)}`);
    }
    if (ignore !== undefined && typeof ignore !== 'boolean') {
      problems.push(`"${column}".ignore: expected true or false, got ${JSON.stringify(ignore)}`);
    }
    columns[column] = {
      ...(method === undefined ? {} : { method: method as DriftMethod }),
      ...(threshold === undefined ? {} : { threshold: threshold as number }),
      ...(ignore === undefined ? {} : { ignore: ignore as boolean }),
    };
  }
  if (problems.length > 0) return problem(problems.join('; '));
  return columns;
}

/** Validation's policy (`NETSENTRY_VALIDATION_*`), validated at start-up. */
export const validationSection = defineConfig(
  {
    NETSENTRY_VALIDATION_MAX_MISSING_RATIO: float({ default: 0.05, min: 0, max: 1 }),
    NETSENTRY_VALIDATION_MAX_DUPLICATE_RATIO: float({ default: 0.6, min: 0, max: 1 }),
    NETSENTRY_VALIDATION_MIN_MINORITY_SHARE: float({ default: 0.05, min: 0, max: 0.5 }),
    NETSENTRY_VALIDATION_MIN_ROWS: int({ default: 100, min: 1 }),
    NETSENTRY_VALIDATION_DATASET_DRIFT_SHARE: float({
      default: 0.5,
      min: 0.000001,
      max: 1,
      description:
        'share of drifted columns (new data vs the production profile) that quarantines a snapshot',
    }),
    NETSENTRY_VALIDATION_SPLIT_DRIFT_ANY_COLUMN: bool({
      default: true,
      description: 'a random split must not drift: any column drifting between train and test quarantines',
    }),
    NETSENTRY_VALIDATION_DRIFT_COLUMNS: str({
      default: '{}',
      description: 'per-column drift overrides as JSON: {"col": {"method": "ks", "threshold": 0.01}}',
    }),
    NETSENTRY_VALIDATION_DRIFT_SIGNIFICANCE: float({
      default: 0.05,
      min: 0.000001,
      max: 1,
      description:
        'a Jensen-Shannon or PSI drift counts only when the chi-square test on the same buckets rejects at ' +
        'this level, so sampling noise in sparse categories is no drift (decision 0075); 1 turns it off',
    }),
  },
  (s, ctx): ValidationPolicy => {
    const columns = parseDriftColumns(s.NETSENTRY_VALIDATION_DRIFT_COLUMNS, ctx);
    // significance 1: every p-value is below it only when < 1, so the check is effectively off.
    const drift = {
      ...(Object.keys(columns).length > 0 ? { columns } : {}),
      ...(s.NETSENTRY_VALIDATION_DRIFT_SIGNIFICANCE < 1
        ? { significance: s.NETSENTRY_VALIDATION_DRIFT_SIGNIFICANCE }
        : {}),
    };
    return {
      conformance: {
        maxMissingRatio: s.NETSENTRY_VALIDATION_MAX_MISSING_RATIO,
        maxDuplicateRatio: s.NETSENTRY_VALIDATION_MAX_DUPLICATE_RATIO,
        minMinorityShare: s.NETSENTRY_VALIDATION_MIN_MINORITY_SHARE,
        minRows: s.NETSENTRY_VALIDATION_MIN_ROWS,
      },
      referenceDrift: { ...drift, datasetDriftShare: s.NETSENTRY_VALIDATION_DATASET_DRIFT_SHARE },
      // Any drifted column between two halves of one random split means something is wrong with the data.
      splitDrift: {
        ...drift,
        ...(s.NETSENTRY_VALIDATION_SPLIT_DRIFT_ANY_COLUMN ? { datasetDriftShare: 1e-9 } : {}),
      },
    };
  },
);
