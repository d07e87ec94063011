import { S3ServiceException } from '@aws-sdk/client-s3';

/**
 * A missing object: GetObject says NoSuchKey, HeadObject (no body) says NotFound / 404. A missing bucket
 * (NoSuchBucket) is not a missing object: the store is misconfigured, see `classifyS3Error`.
 */
export function isNotFound(err: unknown): boolean {
  if (!(err instanceof S3ServiceException)) return false;
  if (err.name === 'NoSuchBucket') return false;
  return err.name === 'NoSuchKey' || err.name === 'NotFound' || err.$metadata.httpStatusCode === 404;
}

export function isBucketAlreadyMine(err: unknown): boolean {
  return (
    err instanceof S3ServiceException &&
    (err.name === 'BucketAlreadyOwnedByYou' || err.name === 'BucketAlreadyExists')
  );
}

/**
 * What an S3 failure means for the one who asked:
 * - `transient`: it can pass — throttling, a 5xx, a request timeout, the connection reset or refused;
 *   asking again (after a pause) may work;
 * - `refused`: the server answered and will answer the same again — access denied, no such bucket, bad
 *   credentials or signature, a malformed request: retrying cannot help;
 * - `other`: not an S3 or network failure (a bug, an integrity check, an abort): left to the caller.
 */
export type S3FailureKind = 'transient' | 'refused' | 'other';

/** S3 error codes that mean "slow down / try later", whatever the status code they come with. */
const TRANSIENT_NAMES = new Set([
  'SlowDown',
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'BandwidthLimitExceeded',
  'RequestTimeout',
  'RequestTimeoutException',
  'InternalError',
  'ServiceUnavailable',
  'PriorRequestNotComplete',
  // the SDK's request timeout
  'TimeoutError',
]);

/** Node's and undici's codes for a connection that failed or went away: the server may be back soon. */
const TRANSIENT_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'ERR_STREAM_PREMATURE_CLOSE',
]);

export function classifyS3Error(err: unknown): S3FailureKind {
  if (typeof err !== 'object' || err === null) return 'other';
  const e = err as {
    name?: unknown;
    code?: unknown;
    $metadata?: { httpStatusCode?: unknown };
    $retryable?: unknown;
    cause?: unknown;
  };
  const name = typeof e.name === 'string' ? e.name : '';
  if (name === 'AbortError') return 'other'; // the caller gave up: not the server's doing
  const status = typeof e.$metadata?.httpStatusCode === 'number' ? e.$metadata.httpStatusCode : undefined;
  if (TRANSIENT_NAMES.has(name)) return 'transient';
  if (typeof e.code === 'string' && TRANSIENT_CODES.has(e.code)) return 'transient';
  if (status !== undefined) {
    if (status >= 500 || status === 429 || status === 408) return 'transient';
    if (status >= 400) return 'refused';
  }
  if (err instanceof S3ServiceException) return err.$fault === 'server' ? 'transient' : 'refused';
  // the SDK marks what its own retry strategy would retry (throttling, transient, clock skew)
  if (typeof e.$retryable === 'object' && e.$retryable !== null) return 'transient';
  // a network error wrapped once (e.g. by lib-storage or a stream pipeline)
  if (e.cause !== undefined && e.cause !== err) {
    const inner = classifyS3Error(e.cause);
    if (inner !== 'other') return inner;
  }
  return 'other';
}
