import { CodedError } from '@netsentry/contracts';

/** Bounded retries with exponential backoff: how long a stage keeps trying one message before dead-lettering it. */
export interface RetryPolicy {
  /** Handler attempts per message, the first included (1 = no retry). */
  maxAttempts: number;
  /** Backoff before the 2nd attempt; doubles each attempt. */
  baseDelayMs: number;
  /** Upper bound of any single backoff. */
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = {
  maxAttempts: 5,
  baseDelayMs: 200,
  maxDelayMs: 30_000,
};

export function retryPolicy(overrides: Partial<RetryPolicy> = {}): RetryPolicy {
  const policy = { ...DEFAULT_RETRY_POLICY, ...overrides };
  if (!Number.isInteger(policy.maxAttempts) || policy.maxAttempts < 1) {
    throw new RangeError(`retry maxAttempts must be an integer >= 1 (got ${policy.maxAttempts})`);
  }
  if (policy.baseDelayMs < 0 || policy.maxDelayMs < policy.baseDelayMs) {
    throw new RangeError('retry delays must satisfy 0 <= baseDelayMs <= maxDelayMs');
  }
  return policy;
}

/**
 * Delay after failed attempt `attempt` (1-based): "equal jitter" — half the exponential step fixed, half
 * random. The fixed half guarantees real backoff; the random half spreads replicas that failed together
 * (e.g. on the same MongoDB outage) so they do not retry in lockstep.
 */
export function backoffDelay(
  policy: RetryPolicy,
  attempt: number,
  random: () => number = Math.random,
): number {
  const step = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(step / 2 + random() * (step / 2));
}

/**
 * An error retrying cannot fix (bad input, a violated invariant): the message goes to the dead-letter topic
 * after this attempt. Handlers throw it, or any error with `retryable: false`.
 */
export class NonRetryableError extends CodedError {
  override readonly retryable = false;
  readonly code: string;

  constructor(message: string, code: string = 'NON_RETRYABLE', options?: { cause?: unknown }) {
    super(message, {}, options);
    this.code = code;
  }
}

/** Whether another attempt could succeed. Errors are retryable unless they say otherwise. */
export function isRetryable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return true;
  return (error as { retryable?: unknown }).retryable !== false;
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts (shutdown). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortReason(signal));
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortReason(signal!));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error('aborted');
}
