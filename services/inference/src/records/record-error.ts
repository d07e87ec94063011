import { CodedError } from '@netsentry/contracts';
import type { ValueProblem } from '@netsentry/dataset';

/** Why a live record was refused: its dead letter's errorCode and the `reason` label of the DLQ metric. */
export type RecordErrorCode =
  | 'NOT_AVRO_OR_JSON'
  | 'MALFORMED_JSON'
  | 'MISSING_RECORD_ID'
  | 'MISSING_FEATURE'
  | 'UNEXPECTED_FEATURE'
  | 'UNKNOWN_FEATURE_SET'
  | 'WRONG_VALUE_COUNT'
  | ValueProblem;

/** A live record that cannot be scored; never retried (the same bytes fail the same way). */
export class RecordError extends CodedError<RecordErrorCode> {
  override readonly retryable = false;
  constructor(
    readonly code: RecordErrorCode,
    message: string,
  ) {
    super(message);
  }
}
