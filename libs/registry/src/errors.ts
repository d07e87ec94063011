import { CodedError, type CodedErrorJson } from '@netsentry/contracts';

/** Stable, machine-readable causes; callers switch on these and dead-letter records carry them. */
export type RegistryErrorCode =
  | 'ALIAS_CONFLICT'
  | 'REGISTRY_CONFLICT'
  | 'REGISTRY_INVALID_VALUE'
  | 'EXECUTION_NOT_FOUND'
  | 'EXECUTION_STATE_CONFLICT'
  | 'RUN_NOT_FOUND'
  | 'MODEL_NOT_FOUND';

export type RegistryErrorJson = CodedErrorJson<RegistryErrorCode>;

/** Base of every error this package throws: a value with a stable `code` and a log-safe `toJSON()`. */
export abstract class RegistryError extends CodedError<RegistryErrorCode> {}

/** A compare-and-set on an alias lost: someone moved it since the caller read it. */
export class AliasConflictError extends RegistryError {
  readonly code = 'ALIAS_CONFLICT';

  constructor(
    readonly alias: string,
    readonly expectedRevision: number,
    readonly actualRevision: number,
  ) {
    super(
      `alias '${alias}' is at revision ${actualRevision}, not the expected ${expectedRevision}: ` +
        'it was moved concurrently; read it again and decide',
      { alias, expectedRevision, actualRevision },
    );
  }
}

/** A row with the same unique key already exists with different content — a bug, not a redelivery. */
export class RegistryConflictError extends RegistryError {
  readonly code = 'REGISTRY_CONFLICT';

  constructor(
    readonly collection: string,
    readonly key: string,
    readonly reason: string,
  ) {
    super(`${collection} '${key}' already exists with different content: ${reason}`, {
      collection,
      key,
      reason,
    });
  }
}

/** A value MongoDB-compatible stores (FerretDB in particular) cannot hold: NaN, Infinity, `.`/`$` keys… */
export class RegistryValueError extends RegistryError {
  readonly code = 'REGISTRY_INVALID_VALUE';

  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`cannot store ${path}: ${reason}`, { path, reason });
  }
}

export class ExecutionNotFoundError extends RegistryError {
  readonly code = 'EXECUTION_NOT_FOUND';

  constructor(
    readonly stage: string,
    readonly eventId: string,
  ) {
    super(`no execution of event ${eventId} by stage '${stage}' was claimed`, { stage, eventId });
  }
}

/** A terminal execution asked to end differently (completed vs dead-lettered). */
export class ExecutionStateError extends RegistryError {
  readonly code = 'EXECUTION_STATE_CONFLICT';

  constructor(
    readonly stage: string,
    readonly eventId: string,
    readonly status: string,
    readonly wanted: string,
  ) {
    super(
      `execution of event ${eventId} by stage '${stage}' is already ${status}; cannot mark it ${wanted}`,
      {
        stage,
        eventId,
        status,
        wanted,
      },
    );
  }
}

export class RunNotFoundError extends RegistryError {
  readonly code = 'RUN_NOT_FOUND';

  constructor(readonly runId: string) {
    super(`run '${runId}' does not exist`, { runId });
  }
}

export class ModelNotFoundError extends RegistryError {
  readonly code = 'MODEL_NOT_FOUND';

  constructor(readonly version: string) {
    super(`model version '${version}' does not exist`, { version });
  }
}
