import type { AliasHistoryEntry, AliasState, ModelRecord, ModelStatus } from '@netsentry/registry';
import { NonRetryableError } from '@netsentry/runtime';

/** Why the pusher would not move the production alias (the dead letter's errorCode and a metric label). */
export type RefusalCode =
  | 'UNKNOWN_VERSION'
  | 'BUNDLE_MISMATCH'
  | 'NOT_ACCEPTED'
  | 'TARGET_REQUIRED'
  | 'NOTHING_TO_ROLL_BACK'
  | 'VERIFICATION_FAILED'
  | 'PRODUCTION_COPY_CONFLICT'
  | 'STALE_EVALUATION'
  | 'DATASET_REQUIRED'
  | 'DATASET_MISMATCH'
  | 'INVALID_DATASET';

/** A request the pusher refuses: no retry, straight to pipeline.dlq with the code and the reason. */
export class PushRefused extends NonRetryableError {
  declare readonly code: RefusalCode;

  constructor(code: RefusalCode, message: string) {
    super(message, code);
    this.name = 'PushRefused';
  }
}

/** Statuses of a model the evaluator accepted at some point: the only ones that may serve production. */
export const RELEASABLE_STATUSES: readonly ModelStatus[] = ['accepted', 'pushed', 'retired'];

export function isReleasable(status: ModelStatus): boolean {
  return RELEASABLE_STATUSES.includes(status);
}

/** Refuses a model that the evaluator never accepted (trained only, or quarantined). */
export function notReleasable(request: string, model: ModelRecord): PushRefused {
  const why = model.reasons.length > 0 ? ` (${model.reasons.join('; ')})` : '';
  return new PushRefused(
    'NOT_ACCEPTED',
    `${request} refused: model ${model.version} is ${model.status}${why}; only a version the evaluator ` +
      'accepted (status accepted, pushed or retired) may serve production',
  );
}

export interface OperatorCommand {
  readonly command: 'ROLLBACK' | 'PROMOTE';
  readonly targetModelVersion: string | null;
}

/**
 * The version an operator command points a dataset's production at. PROMOTE names it; ROLLBACK names it
 * or, without one, goes back to the dataset's previous production version (like `kubectl rollout undo`:
 * twice returns). `head` and `previous` are those of the dataset's alias.
 */
export function commandTarget(
  command: OperatorCommand,
  head: AliasState | null,
  previous: AliasHistoryEntry | null,
  dataset?: string,
): string {
  if (command.targetModelVersion !== null) return command.targetModelVersion;
  if (command.command === 'PROMOTE') {
    throw new PushRefused('TARGET_REQUIRED', 'PROMOTE refused: the command names no targetModelVersion');
  }
  if (previous !== null) return previous.version;
  const of = dataset === undefined ? '' : ` (dataset '${dataset}')`;
  throw new PushRefused(
    'NOTHING_TO_ROLL_BACK',
    head === null
      ? `ROLLBACK refused: nothing to roll back to, production has never been set${of}`
      : `ROLLBACK refused: nothing to roll back to, production has only ever been ${head.version}${of}`,
  );
}

/**
 * The dataset a ROLLBACK without a version acts on: the one it names, else the only dataset with a
 * production model. With several, the operator must say which (`netsentry rollback --dataset NAME`).
 */
export function rollbackDataset(named: string | null, withProduction: readonly string[]): string {
  if (named !== null) return named;
  if (withProduction.length === 1) return withProduction[0]!;
  if (withProduction.length === 0) {
    throw new PushRefused(
      'NOTHING_TO_ROLL_BACK',
      'ROLLBACK refused: nothing to roll back to, production has never been set for any dataset',
    );
  }
  throw new PushRefused(
    'DATASET_REQUIRED',
    `ROLLBACK refused: ${withProduction.length} datasets have a production model ` +
      `(${withProduction.join(', ')}); name one (netsentry rollback --dataset NAME) or the version (--to)`,
  );
}
