import { CodedError, type CodedErrorJson } from '@netsentry/contracts';

/** Stable, machine-readable causes; callers switch on these and dead-letter records carry them. */
export type ArtifactErrorCode =
  | 'ARTIFACT_NOT_FOUND'
  | 'ARTIFACT_CORRUPT'
  | 'ARTIFACT_CONFLICT'
  | 'ARTIFACT_URI_INVALID'
  | 'ARTIFACT_INPUT_INVALID'
  | 'ARTIFACT_NOT_JSON'
  | 'ARTIFACT_STORE_REFUSED'
  | 'ARTIFACT_STORE_UNAVAILABLE';

/** What `toJSON()` exposes: code, message and scalar details — never artifact bytes. */
export type ArtifactErrorJson = CodedErrorJson<ArtifactErrorCode>;

/** Base of every error this package throws: a value with a stable `code` and a log-safe `toJSON()`. */
export abstract class ArtifactError extends CodedError<ArtifactErrorCode> {}

/** No object at the artifact's URI. */
export class ArtifactNotFoundError extends ArtifactError {
  readonly code = 'ARTIFACT_NOT_FOUND';

  constructor(
    readonly uri: string,
    options?: { cause?: unknown },
  ) {
    super(`artifact not found: ${uri}`, { uri }, options);
  }
}

/** The bytes read back do not match the reference: tampered, truncated or overwritten. */
export class ArtifactIntegrityError extends ArtifactError {
  readonly code = 'ARTIFACT_CORRUPT';

  constructor(
    readonly uri: string,
    readonly expected: { sha256: string; sizeBytes: number },
    readonly actual: { sha256: string | null; sizeBytes: number },
  ) {
    const what =
      expected.sizeBytes !== actual.sizeBytes
        ? `size ${actual.sizeBytes} bytes, expected ${expected.sizeBytes}`
        : `sha256 ${actual.sha256 ?? 'unknown'}, expected ${expected.sha256}`;
    super(`artifact ${uri} is corrupt: ${what}`, {
      uri,
      expectedSha256: expected.sha256,
      actualSha256: actual.sha256,
      expectedSizeBytes: expected.sizeBytes,
      actualSizeBytes: actual.sizeBytes,
    });
  }
}

/** An immutable destination already holds different content. */
export class ArtifactConflictError extends ArtifactError {
  readonly code = 'ARTIFACT_CONFLICT';

  constructor(
    readonly uri: string,
    readonly existingSha256: string | null,
    readonly incomingSha256: string,
  ) {
    super(
      `artifact ${uri} already exists with sha256 ${existingSha256 ?? 'unknown'}; ` +
        `refusing to overwrite it with ${incomingSha256}`,
      { uri, existingSha256, incomingSha256 },
    );
  }
}

/** A string that is not a usable `s3://bucket/key` URI. */
export class InvalidArtifactUriError extends ArtifactError {
  readonly code = 'ARTIFACT_URI_INVALID';

  constructor(
    readonly uri: string,
    readonly reason: string,
  ) {
    super(`invalid artifact URI '${uri}': ${reason}`, { uri, reason });
  }
}

/** A put/copy argument the store cannot accept (bad run id, kind, row count, metadata key…). */
export class InvalidArtifactInputError extends ArtifactError {
  readonly code = 'ARTIFACT_INPUT_INVALID';

  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(`invalid artifact ${field}: ${reason}`, { field, reason });
  }
}

/** A JSON artifact whose (verified) bytes do not parse. */
export class ArtifactNotJsonError extends ArtifactError {
  readonly code = 'ARTIFACT_NOT_JSON';

  constructor(
    readonly uri: string,
    options?: { cause?: unknown },
  ) {
    super(`artifact ${uri} is not valid JSON`, { uri }, options);
  }
}

/** What S3 said about a request, for logs and dead letters: its error name and HTTP status, if any. */
function s3Facts(cause: unknown): { s3Error: string; httpStatus: number | null } {
  const e = (typeof cause === 'object' && cause !== null ? cause : {}) as {
    name?: unknown;
    code?: unknown;
    $metadata?: { httpStatusCode?: unknown };
  };
  const status = e.$metadata?.httpStatusCode;
  const code = typeof e.code === 'string' ? e.code : undefined;
  const name = typeof e.name === 'string' && e.name !== 'Error' ? e.name : undefined;
  return { s3Error: name ?? code ?? 'unknown', httpStatus: typeof status === 'number' ? status : null };
}

/**
 * The store answered and will answer the same again: access denied, no such bucket, bad credentials, a
 * malformed request. Not retryable: thrown at once, so the event is dead-lettered with this reason instead
 * of being recomputed for nothing.
 */
export class ArtifactStoreRefusedError extends ArtifactError {
  readonly code = 'ARTIFACT_STORE_REFUSED';
  override readonly retryable = false;

  constructor(
    readonly operation: string,
    options: { cause: unknown },
  ) {
    const facts = s3Facts(options.cause);
    const why = options.cause instanceof Error ? options.cause.message : String(options.cause);
    super(
      `the artifact store refused ${operation}: ${facts.s3Error}${facts.httpStatus === null ? '' : ` (HTTP ${facts.httpStatus})`}: ${why}`,
      { operation, ...facts },
      options,
    );
  }
}

/**
 * The store kept failing in a way that can pass (throttling, 5xx, connection resets) for every attempt of
 * one request. Retryable: the store may be back later; the request itself was already retried.
 */
export class ArtifactStoreUnavailableError extends ArtifactError {
  readonly code = 'ARTIFACT_STORE_UNAVAILABLE';

  constructor(
    readonly operation: string,
    readonly attempts: number,
    options: { cause: unknown },
  ) {
    const facts = s3Facts(options.cause);
    super(
      `the artifact store failed ${operation} ${attempts} times (last: ${facts.s3Error}${facts.httpStatus === null ? '' : `, HTTP ${facts.httpStatus}`})`,
      { operation, attempts, ...facts },
      options,
    );
  }
}
