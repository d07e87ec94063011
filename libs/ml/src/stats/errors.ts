import { CodedError } from '@netsentry/contracts/coded-error';

export type StatsErrorCode =
  | 'STATS_EMPTY_SAMPLE'
  | 'STATS_INVALID_INPUT'
  | 'STATS_LENGTH_MISMATCH'
  | 'STATS_UNSUPPORTED_PROFILE'
  | 'STATS_INVALID_POLICY';

/** A statistics function refused its input; `code` is stable for callers to branch on. */
export class StatsError extends CodedError<StatsErrorCode> {
  constructor(
    readonly code: StatsErrorCode,
    message: string,
  ) {
    super(message);
  }
}
