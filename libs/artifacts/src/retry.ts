import { ArtifactStoreRefusedError, ArtifactStoreUnavailableError } from './errors';
import { classifyS3Error } from './s3-errors';

/**
 * How the store retries one S3 request that failed in a way that can pass (on top of the SDK's own quick
 * attempts per request): up to `maxAttempts` in all, after pauses growing from `baseDelayMs` to at most
 * `maxDelayMs`. The defaults ride out about half a minute of a server restarting or throttling.
 */
export interface ArtifactRetryOptions {
  readonly maxAttempts?: number;
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
  /** Told before each pause: log it where an operator sees it. */
  readonly onRetry?: (event: ArtifactRetryEvent) => void;
}

export interface ArtifactRetryEvent {
  readonly operation: string;
  /** The attempt that failed (1 = the first). */
  readonly attempt: number;
  readonly maxAttempts: number;
  readonly delayMs: number;
  readonly error: unknown;
}

export interface RetryPolicy {
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  readonly onRetry: ((event: ArtifactRetryEvent) => void) | undefined;
}

export function retryPolicy(options: ArtifactRetryOptions = {}): RetryPolicy {
  const maxAttempts = options.maxAttempts ?? 6;
  const baseDelayMs = options.baseDelayMs ?? 500;
  const maxDelayMs = options.maxDelayMs ?? 10_000;
  if (!Number.isSafeInteger(maxAttempts) || maxAttempts < 1) {
    throw new RangeError(`retry.maxAttempts must be a whole number ≥ 1, got ${maxAttempts}`);
  }
  if (!(baseDelayMs >= 0) || !(maxDelayMs >= baseDelayMs)) {
    throw new RangeError('retry delays must satisfy 0 ≤ baseDelayMs ≤ maxDelayMs');
  }
  return { maxAttempts, baseDelayMs, maxDelayMs, onRetry: options.onRetry };
}

/** The pause after failed attempt `attempt` (1-based): doubling, capped, with jitter in its upper half. */
export function retryDelayMs(policy: RetryPolicy, attempt: number, random = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Runs one S3 request (`attempt` builds and sends it afresh each time) until it succeeds, retrying only
 * failures that can pass. `expected(err)` marks answers the caller handles itself (a missing object): they
 * are rethrown unchanged. A refusal (4xx) becomes ArtifactStoreRefusedError at once (not retryable); a
 * transient failure on the last attempt becomes ArtifactStoreUnavailableError; anything else (not an S3 or
 * network failure) is rethrown as it is.
 */
export async function withRetries<T>(
  policy: RetryPolicy,
  operation: string,
  attempt: (n: number) => Promise<T>,
  expected: (err: unknown) => boolean = () => false,
): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt(n);
    } catch (err) {
      if (expected(err)) throw err;
      const kind = classifyS3Error(err);
      if (kind === 'other') throw err;
      if (kind === 'refused') throw new ArtifactStoreRefusedError(operation, { cause: err });
      if (n >= policy.maxAttempts) throw new ArtifactStoreUnavailableError(operation, n, { cause: err });
      const delayMs = retryDelayMs(policy, n);
      policy.onRetry?.({ operation, attempt: n, maxAttempts: policy.maxAttempts, delayMs, error: err });
      await sleep(delayMs);
    }
  }
}
