/** Scalar facts about a failure that are safe to log: names, counts, hashes, URIs, never payload values. */
export type ErrorDetails = Readonly<Record<string, string | number | boolean | null | readonly string[]>>;

/**
 * What `toJSON()` exposes of a {@link CodedError}: nothing a log line or a dead letter must not carry (no
 * stack, no cause); `retryable` stays a property, for the handler that decides on another attempt.
 */
export interface CodedErrorJson<C extends string = string> {
  name: string;
  code: C;
  message: string;
  details: ErrorDetails;
}

/**
 * The one base of netsentry's errors that carry a stable, machine-readable `code` (contracts, artifacts,
 * registry, ml): callers switch on `code`, dead letters carry it, and `toJSON()` is safe to log because
 * `details` hold scalars chosen by the thrower, never event contents or artifact bytes.
 *
 * `retryable` says whether another attempt could succeed: true unless a subclass says otherwise (the stage
 * runtime dead-letters a message at once on an error whose `retryable` is false).
 *
 * It lives in contracts, the lowest layer, with no imports, so every package can extend it
 * (`@netsentry/contracts/coded-error` loads this file alone, e.g. in a worker thread).
 */
export abstract class CodedError<C extends string = string> extends Error {
  abstract readonly code: C;
  readonly retryable: boolean = true;

  protected constructor(
    message: string,
    readonly details: ErrorDetails = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }

  toJSON(): CodedErrorJson<C> {
    return { name: this.name, code: this.code, message: this.message, details: this.details };
  }
}
