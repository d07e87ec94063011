import {
  CopyObjectCommand,
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { ArtifactRef } from '@netsentry/contracts';
import { randomUUID } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { pipeline as pipelineCb, Readable } from 'node:stream';
import { isBytes, peekBody, toBuffer, type ArtifactBody } from './body';
import {
  ArtifactConflictError,
  ArtifactIntegrityError,
  ArtifactNotFoundError,
  ArtifactNotJsonError,
  ArtifactStoreRefusedError,
  ArtifactStoreUnavailableError,
  InvalidArtifactInputError,
} from './errors';
import { HashingStream, sha256Hex, sha256HexYielding, VerifyingStream } from './hashing';
import {
  artifactKey,
  assertKind,
  assertRunId,
  assertSha256,
  normalisePrefix,
  TEMPORARY_PREFIX,
  temporaryKey,
} from './keys';
import { assertUserMetadata, fromS3Metadata, toS3Metadata } from './metadata';
import { retryDelayMs, retryPolicy, withRetries, type ArtifactRetryOptions, type RetryPolicy } from './retry';
import { classifyS3Error, isBucketAlreadyMine, isNotFound } from './s3-errors';
import { formatS3Uri, parseS3Uri, validateBucket, type S3Location } from './uri';

export interface ArtifactStoreOptions {
  readonly client: S3Client;
  readonly bucket: string;
  /**
   * Multipart part size; also the size under which a streamed body is written in one PUT straight to its
   * final key. Memory per put is bounded by partSizeBytes × (queueSize + 1). Minimum 5 MiB (S3's rule).
   */
  readonly partSizeBytes?: number;
  /** Parts uploaded in parallel. */
  readonly queueSize?: number;
  /**
   * In-memory bodies larger than this go up as a multipart upload of `partSizeBytes` parts (default
   * 16 MiB), never as one PUT: a server that buffers a request body (S3Proxy verifying a v4 signature)
   * then holds one part at a time, not the whole artifact. At least `partSizeBytes`.
   */
  readonly multipartThresholdBytes?: number;
  /**
   * Retries of one request that failed in a way that can pass (throttling, 5xx, connection resets), so a
   * transient failure costs that request again — not the caller's work before it. Refusals (4xx) are not
   * retried. Reads resume where the connection broke (a range request), not from the first byte.
   */
  readonly retry?: ArtifactRetryOptions;
  /** Clock for `created-at`; injectable for tests. */
  readonly now?: () => Date;
}

export interface PutArtifactInput {
  readonly runId: string;
  /** One or more path segments, e.g. 'dataset/train', 'report/validation', 'model/bundle'. */
  readonly kind: string;
  readonly body: ArtifactBody;
  readonly mediaType: string;
  /** Data rows for tabular artifacts; omit for models and reports. */
  readonly rowCount?: number | null;
  /** Extra S3 user metadata: lowercase keys, printable ASCII values. */
  readonly metadata?: Readonly<Record<string, string>>;
}

export interface PutJsonInput {
  readonly runId: string;
  readonly kind: string;
  readonly value: unknown;
  readonly metadata?: Readonly<Record<string, string>>;
}

/** What HEAD tells about a stored artifact; the metadata fields are null on objects other tools wrote. */
export interface ArtifactHead {
  readonly uri: string;
  readonly sizeBytes: number;
  readonly mediaType: string | null;
  readonly sha256: string | null;
  readonly rowCount: number | null;
  readonly runId: string | null;
  readonly kind: string | null;
  readonly createdAt: string | null;
  readonly metadata: Readonly<Record<string, string>>;
  readonly lastModified: Date | null;
}

export interface ArtifactListEntry {
  readonly uri: string;
  readonly key: string;
  readonly sizeBytes: number;
  readonly lastModified: Date | null;
}

const MiB = 1024 * 1024;
// CopyObject's limit; a larger body would need UploadPartCopy, which nothing here produces yet.
const MAX_SINGLE_COPY_BYTES = 5 * 1024 * MiB;

/**
 * The artifact store: content-addressed objects under `runs/<runId>/<kind>/<sha256><ext>`, hashed while
 * streaming on the way in and verified while streaming on the way out.
 */
export class ArtifactStore {
  readonly bucket: string;
  private readonly client: S3Client;
  private readonly partSizeBytes: number;
  private readonly queueSize: number;
  private readonly multipartThresholdBytes: number;
  private readonly now: () => Date;
  private readonly retry: RetryPolicy;

  constructor(options: ArtifactStoreOptions) {
    const problem = validateBucket(options.bucket);
    if (problem) throw new InvalidArtifactInputError('bucket', problem);
    this.client = options.client;
    this.bucket = options.bucket;
    this.partSizeBytes = options.partSizeBytes ?? 8 * MiB;
    this.queueSize = options.queueSize ?? 4;
    this.multipartThresholdBytes = options.multipartThresholdBytes ?? 16 * MiB;
    this.now = options.now ?? (() => new Date());
    this.retry = retryPolicy(options.retry);
    if (this.partSizeBytes < 5 * MiB)
      throw new InvalidArtifactInputError('partSizeBytes', 'must be at least 5 MiB');
    if (this.multipartThresholdBytes < this.partSizeBytes)
      throw new InvalidArtifactInputError('multipartThresholdBytes', 'must be at least partSizeBytes');
  }

  /** Creates the bucket unless it exists; safe to call from every service at start-up. */
  async ensureBucket(): Promise<void> {
    try {
      await this.send(
        `HeadBucket ${this.bucket}`,
        () => this.client.send(new HeadBucketCommand({ Bucket: this.bucket })),
        isNotFound,
      );
      return;
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    try {
      await this.send(
        `CreateBucket ${this.bucket}`,
        () => this.client.send(new CreateBucketCommand({ Bucket: this.bucket })),
        isBucketAlreadyMine,
      );
    } catch (err) {
      if (!isBucketAlreadyMine(err)) throw err;
    }
  }

  /**
   * Stores a body and returns its reference. Redelivery-safe: the same bytes of the same kind and run land
   * on the same key, and an existing object with that hash is not rewritten.
   */
  async put(input: PutArtifactInput): Promise<ArtifactRef> {
    assertRunId(input.runId);
    assertKind(input.kind);
    if (input.mediaType.trim().length === 0)
      throw new InvalidArtifactInputError('mediaType', 'must not be empty');
    const rowCount = input.rowCount ?? null;
    if (rowCount !== null && !(Number.isSafeInteger(rowCount) && rowCount >= 0)) {
      throw new InvalidArtifactInputError('rowCount', 'must be a non-negative integer');
    }
    assertUserMetadata(input.metadata ?? {});
    const target = { ...input, rowCount };

    if (isBytes(input.body)) return this.putBytes(target, Buffer.from(input.body));
    const peeked = await peekBody(input.body, this.partSizeBytes);
    return peeked.kind === 'small'
      ? this.putBytes(target, peeked.bytes)
      : this.putStream(target, peeked.stream);
  }

  /** Stores a JSON document (reports, profiles) as `application/json`. */
  async putJson(input: PutJsonInput): Promise<ArtifactRef> {
    const text = JSON.stringify(input.value);
    if (typeof text !== 'string') throw new InvalidArtifactInputError('value', 'is not JSON-serialisable');
    return this.put({
      runId: input.runId,
      kind: input.kind,
      body: Buffer.from(text, 'utf8'),
      mediaType: 'application/json',
      ...(input.metadata ? { metadata: input.metadata } : {}),
    });
  }

  /**
   * Streams an artifact back, verifying it. A size that differs from the reference rejects here; a hash
   * that differs fails the stream at its end with ArtifactIntegrityError — treat data as provisional until
   * the stream has ended cleanly (e.g. consume it with `stream.pipeline`).
   */
  async open(ref: ArtifactRef): Promise<Readable> {
    const location = parseS3Uri(ref.uri);
    assertSha256(ref.sha256, 'ref.sha256');
    const response = await this.getObject(ref.uri, location);
    if (response.ContentLength !== undefined && response.ContentLength !== ref.sizeBytes) {
      (response.Body as Readable).destroy();
      throw new ArtifactIntegrityError(ref.uri, ref, { sha256: null, sizeBytes: response.ContentLength });
    }
    const body = Readable.from(this.resumingBody(ref.uri, location, response), { objectMode: false });
    const verifier = new VerifyingStream(ref, (actual) => new ArtifactIntegrityError(ref.uri, ref, actual));
    // The callback form wires errors and early destroys both ways; the error itself reaches the reader.
    pipelineCb(body, verifier, () => undefined);
    return verifier;
  }

  /** The whole artifact in memory, verified. For reports, profiles and other small artifacts. */
  async getBuffer(ref: ArtifactRef): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const chunk of await this.open(ref)) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }

  /** A verified JSON artifact, parsed. The shape is not checked: validate it where it is used. */
  async getJson<T = unknown>(ref: ArtifactRef): Promise<T> {
    const bytes = await this.getBuffer(ref);
    try {
      return JSON.parse(bytes.toString('utf8')) as T;
    } catch (err) {
      throw new ArtifactNotJsonError(ref.uri, { cause: err });
    }
  }

  async head(ref: ArtifactRef | string): Promise<ArtifactHead> {
    const uri = typeof ref === 'string' ? ref : ref.uri;
    const head = await this.headIfExists(parseS3Uri(uri));
    if (!head) throw new ArtifactNotFoundError(uri);
    return head;
  }

  async exists(ref: ArtifactRef | string): Promise<boolean> {
    const uri = typeof ref === 'string' ? ref : ref.uri;
    return (await this.headIfExists(parseS3Uri(uri))) !== null;
  }

  /**
   * Copies an artifact server-side under another prefix — e.g. a bundle to `production/<version>/` — and
   * returns the new reference. The destination is immutable: the same content there is a no-op (redelivery),
   * different content is an ArtifactConflictError. `toPrefix` is a key prefix in this bucket or an
   * `s3://bucket/prefix` URI. The source's recorded hash and size must match the reference.
   */
  async copy(ref: ArtifactRef, toPrefix: string, options: { name?: string } = {}): Promise<ArtifactRef> {
    const source = parseS3Uri(ref.uri);
    const destination = this.destinationFor(source, toPrefix, options.name);
    const destinationUri = formatS3Uri(destination);

    const sourceHead = await this.headIfExists(source);
    if (!sourceHead) throw new ArtifactNotFoundError(ref.uri);
    if (
      sourceHead.sizeBytes !== ref.sizeBytes ||
      (sourceHead.sha256 !== null && sourceHead.sha256 !== ref.sha256)
    ) {
      throw new ArtifactIntegrityError(ref.uri, ref, {
        sha256: sourceHead.sha256,
        sizeBytes: sourceHead.sizeBytes,
      });
    }
    if (ref.sizeBytes > MAX_SINGLE_COPY_BYTES) {
      throw new InvalidArtifactInputError('ref', 'artifacts over 5 GiB cannot be copied with CopyObject');
    }

    const existing = await this.headIfExists(destination);
    if (existing) {
      if (existing.sha256 === ref.sha256 && existing.sizeBytes === ref.sizeBytes)
        return { ...ref, uri: destinationUri };
      throw new ArtifactConflictError(destinationUri, existing.sha256, ref.sha256);
    }
    await this.send(`CopyObject ${ref.uri} to ${destinationUri}`, () =>
      this.client.send(
        new CopyObjectCommand({
          Bucket: destination.bucket,
          Key: destination.key,
          CopySource: copySource(source),
          MetadataDirective: 'COPY',
        }),
      ),
    );
    return { ...ref, uri: destinationUri };
  }

  /** Every object under a key prefix of this bucket, in key order (all pages). */
  async list(prefix: string): Promise<ArtifactListEntry[]> {
    const entries: ArtifactListEntry[] = [];
    let token: string | undefined;
    do {
      const page = await this.send(`ListObjectsV2 s3://${this.bucket}/${prefix}`, () =>
        this.client.send(
          new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token }),
        ),
      );
      for (const object of page.Contents ?? []) {
        if (object.Key === undefined) continue;
        entries.push({
          uri: `s3://${this.bucket}/${object.Key}`,
          key: object.Key,
          sizeBytes: object.Size ?? 0,
          lastModified: object.LastModified ?? null,
        });
      }
      token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
    return entries;
  }

  /**
   * Deletes temporary uploads older than `olderThanMs` — left behind only when a process died between
   * upload and copy. On AWS a lifecycle rule on `tmp/` does the same.
   */
  async purgeTemporary(olderThanMs: number): Promise<number> {
    const cutoff = this.now().getTime() - olderThanMs;
    let purged = 0;
    for (const entry of await this.list(TEMPORARY_PREFIX)) {
      if (entry.lastModified !== null && entry.lastModified.getTime() < cutoff) {
        await this.send(`DeleteObject ${entry.uri}`, () =>
          this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: entry.key })),
        );
        purged++;
      }
    }
    return purged;
  }

  // ---------------------------------------------------------------------------------------------------

  /**
   * Hash known before writing: straight to the final key (no temporary object, no copy), in one PUT, or
   * above `multipartThresholdBytes` as a multipart upload of slices of the same buffer (no copy either).
   */
  private async putBytes(input: ValidatedPut, bytes: Buffer): Promise<ArtifactRef> {
    const large = bytes.length > this.multipartThresholdBytes;
    const sha256 = large ? await sha256HexYielding(bytes) : sha256Hex(bytes);
    const key = artifactKey(input.runId, input.kind, sha256, input.mediaType);
    const existing = await this.sameContentAt(key, sha256, bytes.length);
    if (existing) return existing;
    const uri = formatS3Uri({ bucket: this.bucket, key });
    const metadata = this.metadataFor(input, sha256);
    if (large) {
      // The bytes are in memory: a failed upload is sent again from them (each part is also retried by
      // the SDK on its own), never recomputed.
      await withRetries(this.retry, `multipart upload of ${uri}`, () =>
        new Upload({
          client: this.client,
          params: {
            Bucket: this.bucket,
            Key: key,
            Body: bytes,
            ContentType: input.mediaType,
            Metadata: metadata,
          },
          partSize: this.partSizeBytes,
          queueSize: this.queueSize,
          leavePartsOnError: false,
        }).done(),
      );
      return this.refFor(key, sha256, bytes.length, input);
    }
    await this.send(`PutObject ${uri}`, () =>
      this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Body: bytes,
          ContentLength: bytes.length,
          ContentType: input.mediaType,
          Metadata: metadata,
        }),
      ),
    );
    return this.refFor(key, sha256, bytes.length, input);
  }

  /**
   * Hash known only at the end: multipart upload to a temporary key while hashing, then a server-side copy
   * to the content-addressed key (with the hash in its metadata) and delete the temporary object.
   */
  private async putStream(input: ValidatedPut, stream: Readable): Promise<ArtifactRef> {
    const tmpKey = temporaryKey(input.runId, input.kind, randomUUID());
    const hasher = new HashingStream();
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.bucket, Key: tmpKey, Body: hasher, ContentType: input.mediaType },
      partSize: this.partSizeBytes,
      queueSize: this.queueSize,
      leavePartsOnError: false,
    });
    const uploaded = upload.done().catch((err: unknown) => {
      // Unblock the source side: nobody reads the hasher any more.
      hasher.destroy(err instanceof Error ? err : new Error(String(err)));
      throw err;
    });
    const results = await Promise.allSettled([pipeline(stream, hasher), uploaded]);
    const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failure) {
      await this.deleteQuietly(tmpKey);
      // A stream cannot be sent again (its bytes are gone; each part was retried by the SDK): a refusal is
      // final, a transient failure is left to the caller, who can produce the stream again.
      const kind = classifyS3Error(failure.reason);
      const operation = `multipart upload of s3://${this.bucket}/${tmpKey}`;
      if (kind === 'refused') throw new ArtifactStoreRefusedError(operation, { cause: failure.reason });
      if (kind === 'transient')
        throw new ArtifactStoreUnavailableError(operation, 1, { cause: failure.reason });
      throw failure.reason;
    }

    const { sha256, sizeBytes } = hasher;
    const key = artifactKey(input.runId, input.kind, sha256, input.mediaType);
    try {
      const existing = await this.sameContentAt(key, sha256, sizeBytes);
      if (existing) return existing;
      if (sizeBytes > MAX_SINGLE_COPY_BYTES) {
        throw new InvalidArtifactInputError('body', 'streamed artifacts over 5 GiB are not supported');
      }
      const metadata = this.metadataFor(input, sha256);
      await this.send(
        `CopyObject s3://${this.bucket}/${tmpKey} to ${formatS3Uri({ bucket: this.bucket, key })}`,
        () =>
          this.client.send(
            new CopyObjectCommand({
              Bucket: this.bucket,
              Key: key,
              CopySource: copySource({ bucket: this.bucket, key: tmpKey }),
              MetadataDirective: 'REPLACE',
              ContentType: input.mediaType,
              Metadata: metadata,
            }),
          ),
      );
      return this.refFor(key, sha256, sizeBytes, input);
    } finally {
      await this.deleteQuietly(tmpKey);
    }
  }

  /** The stored object's reference when the key already holds these bytes (a redelivered put). */
  private async sameContentAt(key: string, sha256: string, sizeBytes: number): Promise<ArtifactRef | null> {
    const head = await this.headIfExists({ bucket: this.bucket, key });
    if (!head || head.sha256 !== sha256 || head.sizeBytes !== sizeBytes) return null;
    return {
      uri: head.uri,
      sha256,
      sizeBytes,
      rowCount: head.rowCount,
      mediaType: head.mediaType ?? 'application/octet-stream',
    };
  }

  private metadataFor(input: ValidatedPut, sha256: string): Record<string, string> {
    return toS3Metadata({
      sha256,
      rowCount: input.rowCount,
      runId: input.runId,
      kind: input.kind,
      createdAt: this.now().toISOString(),
      extra: input.metadata ?? {},
    });
  }

  private refFor(key: string, sha256: string, sizeBytes: number, input: ValidatedPut): ArtifactRef {
    return {
      uri: formatS3Uri({ bucket: this.bucket, key }),
      sha256,
      sizeBytes,
      rowCount: input.rowCount,
      mediaType: input.mediaType,
    };
  }

  private async headIfExists(location: S3Location): Promise<ArtifactHead | null> {
    try {
      const head = await this.send(
        `HeadObject s3://${location.bucket}/${location.key}`,
        () => this.client.send(new HeadObjectCommand({ Bucket: location.bucket, Key: location.key })),
        isNotFound,
      );
      const meta = fromS3Metadata(head.Metadata);
      return {
        uri: `s3://${location.bucket}/${location.key}`,
        sizeBytes: head.ContentLength ?? 0,
        mediaType: head.ContentType ?? null,
        sha256: meta.sha256,
        rowCount: meta.rowCount,
        runId: meta.runId,
        kind: meta.kind,
        createdAt: meta.createdAt,
        metadata: meta.extra,
        lastModified: head.LastModified ?? null,
      };
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  private async getObject(uri: string, location: S3Location, from?: { offset: number; etag?: string }) {
    try {
      return await this.send(
        from === undefined ? `GetObject ${uri}` : `GetObject ${uri} from byte ${from.offset}`,
        () =>
          this.client.send(
            new GetObjectCommand({
              Bucket: location.bucket,
              Key: location.key,
              ...(from === undefined
                ? {}
                : { Range: `bytes=${from.offset}-`, ...(from.etag ? { IfMatch: from.etag } : {}) }),
            }),
          ),
        isNotFound,
      );
    } catch (err) {
      if (isNotFound(err)) throw new ArtifactNotFoundError(uri, { cause: err });
      throw err;
    }
  }

  /**
   * The object's bytes from a GetObject response; when the connection breaks in a way that can pass, the
   * rest is asked for with a range request (of the same version: If-Match its ETag) after a pause, so a
   * reset costs the bytes not yet read, not the whole read. Bounded: `retry.maxAttempts` breaks in a row
   * without a byte between them end it with ArtifactStoreUnavailableError.
   */
  private async *resumingBody(
    uri: string,
    location: S3Location,
    first: Awaited<ReturnType<ArtifactStore['getObject']>>,
  ): AsyncGenerator<Buffer> {
    let response = first;
    const etag = first.ETag;
    let offset = 0;
    let breaks = 0;
    for (;;) {
      try {
        for await (const chunk of response.Body as Readable) {
          const bytes = toBuffer(chunk);
          offset += bytes.length;
          breaks = 0;
          yield bytes;
        }
        return;
      } catch (err) {
        if (classifyS3Error(err) !== 'transient') throw err;
        breaks++;
        const operation = `GetObject ${uri} (broke at byte ${offset})`;
        if (breaks >= this.retry.maxAttempts) {
          throw new ArtifactStoreUnavailableError(operation, breaks, { cause: err });
        }
        const delayMs = retryDelayMs(this.retry, breaks);
        this.retry.onRetry?.({
          operation,
          attempt: breaks,
          maxAttempts: this.retry.maxAttempts,
          delayMs,
          error: err,
        });
        await new Promise((r) => setTimeout(r, delayMs));
        response = await this.getObject(uri, location, { offset, ...(etag ? { etag } : {}) });
      }
    }
  }

  /** One request, sent afresh on each attempt and retried while it fails in a way that can pass. */
  private send<T>(
    operation: string,
    request: () => Promise<T>,
    expected?: (err: unknown) => boolean,
  ): Promise<T> {
    return withRetries(this.retry, operation, request, expected);
  }

  private destinationFor(source: S3Location, toPrefix: string, name: string | undefined): S3Location {
    let bucket = this.bucket;
    let prefix = toPrefix;
    if (toPrefix.startsWith('s3://')) {
      const match = /^s3:\/\/([^/]+)\/(.*)$/.exec(toPrefix);
      const problem = match ? validateBucket(match[1] ?? '') : 'expected s3://bucket/prefix';
      if (!match || problem) throw new InvalidArtifactInputError('prefix', `'${toPrefix}': ${problem}`);
      bucket = match[1] ?? bucket;
      prefix = match[2] ?? '';
    }
    const fileName = name ?? source.key.slice(source.key.lastIndexOf('/') + 1);
    if (fileName.length === 0 || fileName.includes('/')) {
      throw new InvalidArtifactInputError('name', `'${fileName}' must be a non-empty name without /`);
    }
    return parseS3Uri(`s3://${bucket}/${normalisePrefix(prefix)}${fileName}`);
  }

  private async deleteQuietly(key: string): Promise<void> {
    // Best effort: a temporary object left behind wastes space, never correctness (see purgeTemporary).
    await this.send(`DeleteObject s3://${this.bucket}/${key}`, () =>
      this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key })),
    ).catch(() => undefined);
  }
}

type ValidatedPut = PutArtifactInput & { readonly rowCount: number | null };

function copySource(location: S3Location): string {
  return `${location.bucket}/${location.key.split('/').map(encodeURIComponent).join('/')}`;
}
