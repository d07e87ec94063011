import { describe, expect, it } from 'vitest';
import { CodedError, type ErrorDetails } from './coded-error';
import { BadMarkerError, ContractError, InvalidEventError } from './errors';

class QuotaError extends CodedError<'QUOTA_EXCEEDED'> {
  readonly code = 'QUOTA_EXCEEDED';

  constructor(details: ErrorDetails, options?: { cause?: unknown }) {
    super('quota exceeded for tenant', details, options);
  }
}

class ForbiddenError extends CodedError<'FORBIDDEN'> {
  readonly code = 'FORBIDDEN';
  override readonly retryable = false;

  constructor() {
    super('forbidden');
  }
}

describe('CodedError', () => {
  it('is an Error named after its class, with its code, details and cause', () => {
    const cause = new Error('socket hang up');
    const err = new QuotaError({ tenant: 't1', limit: 3 }, { cause });
    expect(err).toBeInstanceOf(Error);
    expect(err).toBeInstanceOf(CodedError);
    expect(err.name).toBe('QuotaError');
    expect(err.code).toBe('QUOTA_EXCEEDED');
    expect(err.message).toBe('quota exceeded for tenant');
    expect(err.details).toEqual({ tenant: 't1', limit: 3 });
    expect(err.cause).toBe(cause);
    expect(String(err)).toBe('QuotaError: quota exceeded for tenant');
  });

  it('is retryable unless the subclass says otherwise', () => {
    expect(new QuotaError({}).retryable).toBe(true);
    expect(new ForbiddenError().retryable).toBe(false);
  });

  it('serialises to name, code, message and details only: no stack, no cause', () => {
    const err = new QuotaError({ tenant: 't1' }, { cause: new Error('secret payload') });
    expect(err.toJSON()).toEqual({
      name: 'QuotaError',
      code: 'QUOTA_EXCEEDED',
      message: 'quota exceeded for tenant',
      details: { tenant: 't1' },
    });
    const logged = JSON.stringify({ err });
    expect(logged).not.toMatch(/stack|secret payload|cause/);
    expect(JSON.parse(logged)).toEqual({ err: err.toJSON() });
    expect(new ForbiddenError().toJSON()).toEqual({
      name: 'ForbiddenError',
      code: 'FORBIDDEN',
      message: 'forbidden',
      details: {},
    });
  });

  it('is the base of the contract errors, which are never retryable and keep their codes and messages', () => {
    const marker = new BadMarkerError('00ff');
    expect(marker).toBeInstanceOf(ContractError);
    expect(marker).toBeInstanceOf(CodedError);
    expect(marker.toJSON()).toEqual({
      name: 'BadMarkerError',
      code: 'BAD_MARKER',
      message: "not an Avro single-object message: expected marker c301, found '00ff'",
      details: { found: '00ff' },
    });
    expect(marker.retryable).toBe(false);
    const invalid = new InvalidEventError('model.trained', ['cvMean']);
    expect(invalid.retryable).toBe(false);
    expect(invalid.toJSON()).toMatchObject({
      code: 'INVALID_EVENT',
      details: { topic: 'model.trained', paths: ['cvMean'] },
    });
  });
});
