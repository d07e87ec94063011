import { S3ServiceException } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { ArtifactStoreRefusedError, ArtifactStoreUnavailableError } from './errors';
import { retryDelayMs, retryPolicy, withRetries } from './retry';
import { classifyS3Error, isNotFound } from './s3-errors';

// S3 errors as the SDK builds them from a response: name = the S3 error code, $fault, the HTTP status.
const s3 = (name: string, status: number, fault: 'client' | 'server' = status >= 500 ? 'server' : 'client') =>
  new S3ServiceException({ name, $fault: fault, $metadata: { httpStatusCode: status }, message: name });
const network = (code: string) => Object.assign(new Error(`connect ${code} 127.0.0.1:9000`), { code });

describe('classifyS3Error', () => {
  it.each([
    ['SlowDown', 503],
    ['ServiceUnavailable', 503],
    ['InternalError', 500],
    ['BadGateway', 502],
    ['GatewayTimeout', 504],
    ['RequestTimeout', 400],
    ['TooManyRequestsException', 429],
    ['Throttling', 400],
  ])('%s (HTTP %i) can pass: retried', (name, status) => {
    expect(classifyS3Error(s3(name, status))).toBe('transient');
  });

  it.each(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN'])(
    'a connection %s can pass',
    (code) => {
      expect(classifyS3Error(network(code))).toBe('transient');
      // as lib-storage or a stream pipeline may wrap it
      expect(classifyS3Error(new Error('upload failed', { cause: network(code) }))).toBe('transient');
    },
  );

  it.each([
    ['AccessDenied', 403],
    ['InvalidAccessKeyId', 403],
    ['SignatureDoesNotMatch', 403],
    ['NoSuchBucket', 404],
    ['InvalidBucketName', 400],
    ['EntityTooLarge', 400],
    ['PreconditionFailed', 412],
  ])('%s (HTTP %i) is a refusal: never retried', (name, status) => {
    expect(classifyS3Error(s3(name, status))).toBe('refused');
  });

  it('leaves what is not an S3 or network failure to the caller', () => {
    expect(classifyS3Error(new TypeError('x is not a function'))).toBe('other');
    expect(classifyS3Error(Object.assign(new Error('aborted'), { name: 'AbortError' }))).toBe('other');
    expect(classifyS3Error('a string')).toBe('other');
  });

  it('tells a missing object from a missing bucket', () => {
    expect(isNotFound(s3('NoSuchKey', 404))).toBe(true);
    expect(isNotFound(s3('NotFound', 404))).toBe(true);
    expect(isNotFound(s3('NoSuchBucket', 404))).toBe(false);
  });
});

describe('withRetries', () => {
  const fast = retryPolicy({ maxAttempts: 4, baseDelayMs: 1, maxDelayMs: 4 });
  const failing = (errors: Error[]) => {
    let calls = 0;
    return {
      calls: () => calls,
      attempt: async () => {
        const err = errors[calls++];
        if (err !== undefined) throw err;
        return 'stored';
      },
    };
  };

  it('repeats the request that failed in a way that can pass, and only it', async () => {
    const op = failing([s3('SlowDown', 503), network('ECONNRESET')]);
    const retries: number[] = [];
    const policy = retryPolicy({
      maxAttempts: 4,
      baseDelayMs: 1,
      maxDelayMs: 4,
      onRetry: (e) => retries.push(e.attempt),
    });
    await expect(withRetries(policy, 'PutObject s3://b/k', op.attempt)).resolves.toBe('stored');
    expect(op.calls()).toBe(3);
    expect(retries).toEqual([1, 2]);
  });

  it('throws a non-retryable coded error at once for a refusal', async () => {
    const op = failing([s3('AccessDenied', 403)]);
    const err = await withRetries(fast, 'PutObject s3://b/k', op.attempt).catch((e: unknown) => e);
    expect(op.calls()).toBe(1);
    expect(err).toBeInstanceOf(ArtifactStoreRefusedError);
    expect(err).toMatchObject({
      code: 'ARTIFACT_STORE_REFUSED',
      retryable: false,
      details: { operation: 'PutObject s3://b/k', s3Error: 'AccessDenied', httpStatus: 403 },
    });
  });

  it('gives up after maxAttempts with a retryable error that says how often it tried', async () => {
    const op = failing(Array.from({ length: 10 }, () => s3('InternalError', 500)));
    const err = await withRetries(fast, 'GetObject s3://b/k', op.attempt).catch((e: unknown) => e);
    expect(op.calls()).toBe(4);
    expect(err).toBeInstanceOf(ArtifactStoreUnavailableError);
    expect(err).toMatchObject({
      code: 'ARTIFACT_STORE_UNAVAILABLE',
      retryable: true,
      details: { attempts: 4 },
    });
  });

  it('rethrows expected answers and foreign errors unchanged, without retrying', async () => {
    const missing = s3('NoSuchKey', 404);
    const op = failing([missing]);
    await expect(withRetries(fast, 'GetObject', op.attempt, isNotFound)).rejects.toBe(missing);
    const bug = new TypeError('bug');
    const op2 = failing([bug]);
    await expect(withRetries(fast, 'GetObject', op2.attempt)).rejects.toBe(bug);
    expect(op.calls() + op2.calls()).toBe(2);
  });

  it('pauses longer after each failure, up to the cap', () => {
    const p = retryPolicy({ baseDelayMs: 100, maxDelayMs: 1_000 });
    const top = (n: number) => retryDelayMs(p, n, () => 1);
    const bottom = (n: number) => retryDelayMs(p, n, () => 0);
    expect([1, 2, 3, 4, 5, 6].map(top)).toEqual([100, 200, 400, 800, 1_000, 1_000]);
    expect([1, 2, 3].map(bottom)).toEqual([50, 100, 200]);
    expect(() => retryPolicy({ maxAttempts: 0 })).toThrow(/maxAttempts/);
  });
});
