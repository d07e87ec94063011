import { ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { ArtifactRef } from '@netsentry/contracts';
import { newS3Client, uniqueName } from '@netsentry/testkit';
import { createHash, randomBytes } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ArtifactConflictError,
  ArtifactIntegrityError,
  ArtifactNotFoundError,
  ArtifactStore,
  parseS3Uri,
} from '../src';

// The artifact store against the real S3 server (S3Proxy from deploy/local/): no mocks.

let s3: S3Client;
let store: ArtifactStore;
const bucket = uniqueName('it-artifacts');
const MiB = 1024 * 1024;

beforeAll(async () => {
  s3 = newS3Client();
  store = new ArtifactStore({ client: s3, bucket, partSizeBytes: 5 * MiB, queueSize: 2 });
  await store.ensureBucket();
  await store.ensureBucket(); // idempotent
});

afterAll(() => s3.destroy());

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

function* chunks(data: Buffer, size: number): Generator<Buffer> {
  for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
}

async function keysUnder(prefix: string): Promise<string[]> {
  const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
  return (page.Contents ?? []).map((o) => o.Key!);
}

async function drain(stream: Readable): Promise<{ sha256: string; bytes: number; largestChunk: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  let largestChunk = 0;
  await pipeline(
    stream,
    new Writable({
      write(chunk: Buffer, _enc, cb) {
        hash.update(chunk);
        bytes += chunk.length;
        largestChunk = Math.max(largestChunk, chunk.length);
        cb();
      },
    }),
  );
  return { sha256: hash.digest('hex'), bytes, largestChunk };
}

describe('ArtifactStore against S3Proxy', () => {
  it('round-trips a 12 MiB streamed body, content-addressed and verified while streaming', async () => {
    const data = randomBytes(12 * MiB);
    const t0 = performance.now();
    const ref = await store.put({
      runId: 'run-big',
      kind: 'dataset/train',
      body: Readable.from(chunks(data, 256 * 1024)),
      mediaType: 'text/csv',
      rowCount: 1_000,
      metadata: { 'schema-sha256': 'c'.repeat(64) },
    });
    const putMs = performance.now() - t0;

    expect(ref).toEqual({
      uri: `s3://${bucket}/runs/run-big/dataset/train/${sha256(data)}.csv`,
      sha256: sha256(data),
      sizeBytes: data.length,
      rowCount: 1_000,
      mediaType: 'text/csv',
    });
    // The temporary upload is gone; only the final object remains.
    expect(await keysUnder('tmp/')).toEqual([]);

    const head = await store.head(ref);
    expect(head).toMatchObject({
      sha256: ref.sha256,
      rowCount: 1_000,
      runId: 'run-big',
      kind: 'dataset/train',
      mediaType: 'text/csv',
      metadata: { 'schema-sha256': 'c'.repeat(64) },
    });
    expect(Date.parse(head.createdAt!)).not.toBeNaN();

    const t1 = performance.now();
    const read = await drain(await store.open(ref));
    const getMs = performance.now() - t1;
    expect(read.sha256).toBe(ref.sha256);
    expect(read.bytes).toBe(data.length);
    expect(read.largestChunk).toBeLessThan(data.length); // streamed, not buffered whole
    console.info(`12 MiB streamed put ${putMs.toFixed(0)} ms, verified get ${getMs.toFixed(0)} ms`);
  });

  it('stores the same content twice under one key, as one object, without rewriting it', async () => {
    const data = randomBytes(6 * MiB); // over the part size: the streamed (temp key + copy) path
    const put = () =>
      store.put({
        runId: 'run-dup',
        kind: 'dataset/test',
        body: Readable.from(chunks(data, 64 * 1024)),
        mediaType: 'text/csv',
        rowCount: 7,
      });
    const first = await put();
    const firstHead = await store.head(first);
    const second = await put();
    expect(second).toEqual(first);
    expect(await keysUnder('runs/run-dup/')).toEqual([parseS3Uri(first.uri).key]);
    expect((await store.head(second)).createdAt).toBe(firstHead.createdAt); // not rewritten
    expect(await keysUnder('tmp/')).toEqual([]);
  });

  it('writes small bodies straight to their final key and deduplicates them too', async () => {
    const body = Buffer.from('a,b\n1,2\n');
    const a = await store.put({
      runId: 'run-small',
      kind: 'dataset/snapshot',
      body,
      mediaType: 'text/csv',
      rowCount: 1,
    });
    const b = await store.put({
      runId: 'run-small',
      kind: 'dataset/snapshot',
      body: Readable.from([body.subarray(0, 3), body.subarray(3)]),
      mediaType: 'text/csv',
      rowCount: 1,
    });
    expect(b).toEqual(a);
    expect(await keysUnder('runs/run-small/')).toHaveLength(1);
    expect((await store.getBuffer(a)).equals(body)).toBe(true);
  });

  it('round-trips JSON reports', async () => {
    const report = { verdict: 'VALID', reasons: [], drift: { 'Flow Bytes/s': 0.01 } };
    const ref = await store.putJson({ runId: 'run-json', kind: 'report/validation', value: report });
    expect(ref.mediaType).toBe('application/json');
    expect(ref.rowCount).toBeNull();
    expect(ref.uri).toMatch(/\/runs\/run-json\/report\/validation\/[0-9a-f]{64}\.json$/);
    expect(await store.getJson<typeof report>(ref)).toEqual(report);
  });

  describe('a tampered object', () => {
    let ref: ArtifactRef;
    const original = randomBytes(64 * 1024);

    beforeAll(async () => {
      ref = await store.put({
        runId: 'run-tamper',
        kind: 'model/bundle',
        body: original,
        mediaType: 'application/x-netsentry-bundle+tar',
      });
    });

    const overwrite = (bytes: Buffer) =>
      s3.send(new PutObjectCommand({ Bucket: bucket, Key: parseS3Uri(ref.uri).key, Body: bytes }));

    it('with the same size fails the read at the end, naming the uri and both hashes', async () => {
      const tampered = Buffer.from(original);
      tampered[1_000] = tampered[1_000]! ^ 0xff;
      await overwrite(tampered);
      const err = await store.getBuffer(ref).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ArtifactIntegrityError);
      const integrity = err as ArtifactIntegrityError;
      expect(integrity.code).toBe('ARTIFACT_CORRUPT');
      expect(integrity.message).toContain(ref.uri);
      expect(integrity.toJSON().details).toMatchObject({
        uri: ref.uri,
        expectedSha256: ref.sha256,
        actualSha256: sha256(tampered),
      });
      await expect(drain(await store.open(ref))).rejects.toBeInstanceOf(ArtifactIntegrityError);
    });

    it('with another size is refused when opened', async () => {
      await overwrite(original.subarray(0, 1_000));
      await expect(store.open(ref)).rejects.toMatchObject({
        code: 'ARTIFACT_CORRUPT',
        details: { uri: ref.uri, expectedSizeBytes: original.length, actualSizeBytes: 1_000 },
      });
    });

    it('is repaired by putting the original bytes again', async () => {
      // The overwritten object kept no store metadata, so the hash check on put does not trust it.
      await store.put({
        runId: 'run-tamper',
        kind: 'model/bundle',
        body: original,
        mediaType: 'application/x-netsentry-bundle+tar',
      });
      expect((await store.getBuffer(ref)).equals(original)).toBe(true);
    });
  });

  it('reports a missing artifact as ArtifactNotFoundError with its uri', async () => {
    const ref: ArtifactRef = {
      uri: `s3://${bucket}/runs/none/dataset/train/${'0'.repeat(64)}.csv`,
      sha256: '0'.repeat(64),
      sizeBytes: 1,
      rowCount: 1,
      mediaType: 'text/csv',
    };
    await expect(store.open(ref)).rejects.toBeInstanceOf(ArtifactNotFoundError);
    await expect(store.head(ref)).rejects.toMatchObject({ code: 'ARTIFACT_NOT_FOUND', uri: ref.uri });
    expect(await store.exists(ref)).toBe(false);
    await expect(store.copy(ref, 'production/m-none')).rejects.toBeInstanceOf(ArtifactNotFoundError);
  });

  it('copies a bundle to an immutable production prefix, idempotently', async () => {
    const bundle = randomBytes(32 * 1024);
    const ref = await store.put({
      runId: 'run-push',
      kind: 'model/bundle',
      body: bundle,
      mediaType: 'application/x-netsentry-bundle+tar',
    });
    const pushed = await store.copy(ref, 'production/m-20240501100000-abcdef12/');
    expect(pushed).toEqual({
      ...ref,
      uri: `s3://${bucket}/production/m-20240501100000-abcdef12/${ref.sha256}.tar`,
    });
    expect((await store.getBuffer(pushed)).equals(bundle)).toBe(true);
    expect(await store.head(pushed)).toMatchObject({
      sha256: ref.sha256,
      runId: 'run-push',
      kind: 'model/bundle',
    });

    expect(await store.copy(ref, 'production/m-20240501100000-abcdef12')).toEqual(pushed); // redelivered push

    const named = await store.copy(ref, 'production/m-20240501100000-abcdef12', { name: 'bundle.tar' });
    expect(named.uri).toBe(`s3://${bucket}/production/m-20240501100000-abcdef12/bundle.tar`);

    const other = await store.put({
      runId: 'run-push',
      kind: 'model/bundle',
      body: randomBytes(100),
      mediaType: 'application/x-netsentry-bundle+tar',
    });
    await expect(
      store.copy(other, 'production/m-20240501100000-abcdef12', { name: 'bundle.tar' }),
    ).rejects.toBeInstanceOf(ArtifactConflictError);
  });

  it('lists artifacts under a prefix across pages', async () => {
    const refs: ArtifactRef[] = [];
    for (let i = 0; i < 5; i++) {
      refs.push(await store.putJson({ runId: 'run-list', kind: 'report/fold', value: { fold: i } }));
    }
    const listed = await store.list('runs/run-list/');
    expect(listed.map((e) => e.uri).sort()).toEqual(refs.map((r) => r.uri).sort());
    expect(listed.every((e) => e.sizeBytes > 0 && e.lastModified instanceof Date)).toBe(true);
    expect(await store.list('runs/run-nothing/')).toEqual([]);
  });

  it('leaves nothing behind when a streamed body fails, and rejects with the source error', async () => {
    async function* failing() {
      yield randomBytes(6 * MiB);
      throw new Error('source broke');
    }
    await expect(
      store.put({ runId: 'run-fail', kind: 'dataset/train', body: failing(), mediaType: 'text/csv' }),
    ).rejects.toThrow('source broke');
    expect(await keysUnder('tmp/')).toEqual([]);
    expect(await keysUnder('runs/run-fail/')).toEqual([]);
  });

  it('stores a 320 MB in-memory matrix as a multipart upload and reads it back intact', async () => {
    // The store as the services build it (8 MiB parts, multipart above 16 MiB). One PUT of a 111 MB body
    // ran S3Proxy (256 MB heap) out of memory; parts keep the server's share to a few parts at a time.
    const services = new ArtifactStore({ client: s3, bucket });
    const values = new Float64Array(40_000_000 + 123);
    for (let i = 0; i < values.length; i++) values[i] = (i % 9_973) * 0.25 - (i % 7);
    const body = Buffer.from(values.buffer);
    expect(body.length).toBeGreaterThan(300 * 1_000_000);
    const expected = sha256(body);
    // The event loop keeps turning while it is hashed and sent.
    let last = performance.now();
    let longestGap = 0;
    const ticker = setInterval(() => {
      const now = performance.now();
      longestGap = Math.max(longestGap, now - last);
      last = now;
    }, 20);
    const started = performance.now();
    let ref: ArtifactRef;
    try {
      ref = await services.put({
        runId: 'run-large',
        kind: 'dataset/train-transformed',
        body,
        mediaType: 'application/x-netsentry-matrix',
        rowCount: 40_000,
      });
    } finally {
      clearInterval(ticker);
    }
    const putSeconds = (performance.now() - started) / 1000;
    expect(ref.sha256).toBe(expected);
    expect(ref.sizeBytes).toBe(body.length);
    expect(ref.uri).toMatch(
      new RegExp(`^s3://${bucket}/runs/run-large/dataset/train-transformed/${expected}`),
    );
    expect(longestGap).toBeLessThan(1_000);
    const head = await services.head(ref);
    expect(head).toMatchObject({ sha256: expected, sizeBytes: body.length, rowCount: 40_000 });
    expect(await keysUnder('tmp/')).toEqual([]);

    const readStarted = performance.now();
    const back = await drain(await services.open(ref));
    expect(back.sha256).toBe(expected);
    expect(back.bytes).toBe(body.length);
    console.log(
      `large artifact IT: ${(body.length / 1e6).toFixed(0)} MB put in ${putSeconds.toFixed(1)} s (longest event-loop gap ${longestGap.toFixed(0)} ms), read back and verified in ${((performance.now() - readStarted) / 1000).toFixed(1)} s`,
    );
  }, 300_000);
});
