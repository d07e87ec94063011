import { CodedError } from '@netsentry/contracts/coded-error';
import { describe, expect, it } from 'vitest';
import { BundleError } from './bundle';
import { DatasetRowsRejectedError } from './dataset-frame';
import { EngineError } from './engines/engine';
import { MatrixFileError } from './matrix-file';
import { PreprocessingError } from './preprocessing/errors';
import { StatsError } from './stats/errors';

// The ml errors extend the one base of contracts: a stable code, `retryable` and a log-safe toJSON().
describe('ml errors', () => {
  it('are CodedErrors with their own names, codes and messages', () => {
    const errors = [
      [new PreprocessingError('MISSING_COLUMN', 'no column x'), 'PreprocessingError', 'MISSING_COLUMN'],
      [new StatsError('STATS_EMPTY_SAMPLE', 'empty sample'), 'StatsError', 'STATS_EMPTY_SAMPLE'],
      [new EngineError('POOL_CLOSED', 'the pool is closed'), 'EngineError', 'POOL_CLOSED'],
      [new BundleError('BUNDLE_VERSION', 'bundle format 9'), 'BundleError', 'BUNDLE_VERSION'],
    ] as const;
    for (const [err, name, code] of errors) {
      expect(err).toBeInstanceOf(CodedError);
      expect(err.retryable).toBe(true);
      expect(err.toJSON()).toEqual({ name, code, message: err.message, details: {} });
    }
    expect(new MatrixFileError('short header').toJSON()).toMatchObject({
      name: 'MatrixFileError',
      code: 'MATRIX_FILE_INVALID',
      message: 'invalid matrix file: short header',
    });
  });

  it('keep rejected rows out of toJSON and are not retried', () => {
    const err = new DatasetRowsRejectedError(2, ['row 3: URL_Length=secret']);
    expect(err.retryable).toBe(false);
    expect(err.message).toBe('2 row(s) do not conform to the dataset schema, e.g. row 3: URL_Length=secret');
    expect(err.toJSON()).toMatchObject({ code: 'DATASET_ROWS_REJECTED', details: { rejected: 2 } });
    expect(JSON.stringify(err.toJSON().details)).not.toMatch(/secret/);
  });
});
