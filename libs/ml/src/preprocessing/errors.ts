import { CodedError } from '@netsentry/contracts/coded-error';

export type PreprocessingErrorCode =
  | 'INVALID_ARGUMENT'
  | 'MISSING_COLUMN'
  | 'COLUMN_KIND'
  | 'MISSING_LABEL'
  | 'NOT_ENOUGH_SAMPLES'
  | 'ARTIFACT_VERSION'
  | 'ARTIFACT_INVALID'
  | 'SCHEMA_MISMATCH'
  | 'INVALID_VALUE';

/** Every failure of the preprocessing code, with a stable `code` that services can map to a reason. */
export class PreprocessingError extends CodedError<PreprocessingErrorCode> {
  constructor(
    readonly code: PreprocessingErrorCode,
    message: string,
  ) {
    super(message);
  }
}
