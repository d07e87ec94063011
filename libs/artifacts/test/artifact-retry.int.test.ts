import { S3Client } from '@aws-sdk/client-s3';
import { localInfra, newS3Client, uniqueName } from '@netsentry/testkit';
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArtifactStore, ArtifactStoreRefusedError, ArtifactStoreUnavailableError } from '../src';

// Retries against the real S3 server (S3Proxy from deploy/local/). The store and the server are real; the
// only fault injector is a middleware on the SDK client's own stack, at the `initialize` step (before the
// SDK's own retry loop), which fails chosen requests the way a dropped connection does — so each failure
// costs exactly one of the store's attempts, and the requests let through reach the real server.

const MiB = 1024 * 1024;
const bucket = uniqueName('it-artifact-retry');
const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
const reset = (): Error => Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });

interface Injector {
  /** Commands as the store sent them, in order (every attempt, failed or not). */
  readonly sent: string[];
  /** Ranges asked for by GetObject requests. */
  readonly ranges: (string | undefined)[];
  /** Fail the next `n` sends of `command` before they leave (a dropped connection). */
  failNext(command: string, n: number): void;
  /** The next GetObject's body breaks after `bytes` bytes (a connection reset mid-read). */
  breakNextBodyAfter(bytes: number): void;
}

function withInjector(client: S3Client): Injector {
  const sent: string[] = [];
  const ranges: (string | undefined)[] = [];
  const failures = new Map<string, number>();
  let breakAfter: number | null = null;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = context.commandName ?? '?';
      sent.push(command);
      if (command === 'GetObjectCommand') ranges.push((args.input as { Range?: string }).Range);
      const left = failures.get(command) ?? 0;
      if (left > 0) {
        failures.set(command, left - 1);
        throw reset();
      }
      const result = await next(args);
      if (command === 'GetObjectCommand' && breakAfter !== null) {
        const limit = breakAfter;
        breakAfter = null;
        const output = result.output as { Body?: Readable };
        const body = output.Body!;
        output.Body = Readable.from(
          (async function* () {
            let passed = 0;
            for await (const chunk of body) {
              const b = chunk as Buffer;
              if (passed + b.length > limit) {
                yield b.subarray(0, limit - passed);
                body.destroy();
                throw reset();
              }
              passed += b.length;
              yield b;
            }
          })(),
        );
      }
      return result;
    },
    { step: 'initialize', name: 'faultInjector' },
  );
  return {
    sent,
    ranges,
    failNext: (command, n) => failures.set(command, n),
    breakNextBodyAfter: (bytes) => (breakAfter = bytes),
  };
}

let client: S3Client;
let faults: Injector;
let store: ArtifactStore;
const retries: string[] = [];

beforeAll(async () => {
  client = newS3Client();
  faults = withInjector(client);
  store = new ArtifactStore({
    client,
    bucket,
    partSizeBytes: 5 * MiB,
    multipartThresholdBytes: 5 * MiB,
    queueSize: 1,
    retry: { maxAttempts: 4, baseDelayMs: 20, maxDelayMs: 100, onRetry: (e) => retries.push(e.operation) },
  });
  await store.ensureBucket();
});

afterAll(() => client.destroy());

describe('artifact store retries (real S3Proxy)', () => {
  it('a put whose PUT drops twice stores the bytes with the third PUT, not a new put', async () => {
    const body = randomBytes(64 * 1024);
    faults.sent.length = 0;
    faults.failNext('PutObjectCommand', 2);
    const ref = await store.put({
      runId: 'run-retry-1',
      kind: 'model/bundle',
      body,
      mediaType: 'application/octet-stream',
    });
    expect(faults.sent.filter((c) => c === 'PutObjectCommand')).toHaveLength(3);
    expect(faults.sent.filter((c) => c === 'HeadObjectCommand')).toHaveLength(1); // the hash, once
    expect(sha256(await store.getBuffer(ref))).toBe(sha256(body));
  });

  it('a multipart upload of an in-memory matrix that breaks is uploaded again from memory', async () => {
    const body = randomBytes(12 * MiB); // three parts
    faults.sent.length = 0;
    faults.failNext('UploadPartCommand', 1);
    const ref = await store.put({
      runId: 'run-retry-2',
      kind: 'dataset/train',
      body,
      mediaType: 'application/octet-stream',
    });
    expect(faults.sent.filter((c) => c === 'CreateMultipartUploadCommand')).toHaveLength(2);
    expect(faults.sent.filter((c) => c === 'CompleteMultipartUploadCommand')).toHaveLength(1);
    expect(ref.sizeBytes).toBe(body.length);
    expect(sha256(await store.getBuffer(ref))).toBe(sha256(body));
  });

  it('a read whose connection resets mid-body resumes from the byte it reached, and verifies', async () => {
    const body = randomBytes(3 * MiB);
    const ref = await store.put({
      runId: 'run-retry-3',
      kind: 'dataset/test',
      body,
      mediaType: 'application/octet-stream',
    });
    faults.ranges.length = 0;
    faults.breakNextBodyAfter(MiB);
    const read = await store.getBuffer(ref);
    expect(sha256(read)).toBe(sha256(body));
    expect(faults.ranges).toEqual([undefined, `bytes=${MiB}-`]);
  });

  it('gives up after the bounded attempts with a retryable error that names the request', async () => {
    faults.sent.length = 0;
    faults.failNext('PutObjectCommand', 10);
    const err = await store
      .put({ runId: 'run-retry-4', kind: 'report/x', body: Buffer.from('x'), mediaType: 'text/plain' })
      .catch((e: unknown) => e);
    faults.failNext('PutObjectCommand', 0);
    expect(err).toBeInstanceOf(ArtifactStoreUnavailableError);
    expect(err).toMatchObject({ retryable: true, details: { attempts: 4, s3Error: 'ECONNRESET' } });
    expect(faults.sent.filter((c) => c === 'PutObjectCommand')).toHaveLength(4);
  });

  it('a missing bucket is refused by the server at once: non-retryable, one PUT', async () => {
    const missing = new ArtifactStore({
      client,
      bucket: uniqueName('it-no-such-bucket'),
      retry: { baseDelayMs: 1 },
    });
    faults.sent.length = 0;
    const err = await missing
      .put({ runId: 'run-retry-5', kind: 'report/x', body: Buffer.from('x'), mediaType: 'text/plain' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ArtifactStoreRefusedError);
    expect(err).toMatchObject({
      code: 'ARTIFACT_STORE_REFUSED',
      retryable: false,
      details: { s3Error: 'NoSuchBucket' },
    });
    expect(faults.sent.filter((c) => c === 'PutObjectCommand')).toHaveLength(1);
  });

  it('wrong credentials are refused by the server at once: non-retryable', async () => {
    const s3 = localInfra().s3;
    const denied = new S3Client({
      endpoint: s3.endpoint,
      region: s3.region,
      forcePathStyle: true,
      credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: 'not-the-secret' },
    });
    try {
      const wrong = new ArtifactStore({ client: denied, bucket, retry: { baseDelayMs: 1 } });
      const err = await wrong
        .put({ runId: 'run-retry-6', kind: 'report/x', body: Buffer.from('x'), mediaType: 'text/plain' })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ArtifactStoreRefusedError);
      expect(err).toMatchObject({ retryable: false, details: { httpStatus: 403 } });
    } finally {
      denied.destroy();
    }
  });
});
