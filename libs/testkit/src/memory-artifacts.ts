/* eslint-disable @typescript-eslint/require-await -- in-memory stand-ins keep the async signatures of the stores they replace */
import {
  ArtifactConflictError,
  ArtifactIntegrityError,
  ArtifactNotFoundError,
  ArtifactNotJsonError,
  artifactKey,
  formatS3Uri,
  parseS3Uri,
  sha256Hex,
  type ArtifactBody,
  type PutArtifactInput,
  type PutJsonInput,
} from '@netsentry/artifacts';
import type { ArtifactRef } from '@netsentry/contracts';
import { Readable } from 'node:stream';

async function bytesOf(body: ArtifactBody): Promise<Buffer> {
  if (Buffer.isBuffer(body)) return body;
  if (body instanceof Uint8Array) return Buffer.from(body);
  const chunks: Buffer[] = [];
  for await (const chunk of body as AsyncIterable<Uint8Array | string>) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

interface StoredObject {
  readonly ref: ArtifactRef;
  /** The kind it was `put` as; null for a copy (S3 itself knows no kinds). */
  readonly kind: string | null;
  readonly body: Buffer;
}

/**
 * An in-memory stand-in for ArtifactStore, for use-case unit tests (no S3). Same keys as the store
 * (content-addressed `runs/<run>/<kind>/<sha256><ext>`, so the same bytes land once), refs with the bytes'
 * real SHA-256 and size, reads verified against the ref (ArtifactIntegrityError, as the store's stream
 * fails), ArtifactNotFoundError on an unknown URI, copies to an immutable destination. Integration tests
 * use the real store.
 */
export class MemoryArtifacts {
  private readonly objects = new Map<string, StoredObject>();

  constructor(readonly bucket = 'memory') {}

  async put(input: PutArtifactInput): Promise<ArtifactRef> {
    const body = await bytesOf(input.body);
    const sha256 = sha256Hex(body);
    const key = artifactKey(input.runId, input.kind, sha256, input.mediaType);
    const ref: ArtifactRef = {
      uri: formatS3Uri({ bucket: this.bucket, key }),
      sha256,
      sizeBytes: body.length,
      rowCount: input.rowCount ?? null,
      mediaType: input.mediaType,
    };
    // The store does not rewrite an object that already has this hash: the first write stands.
    if (!this.objects.has(ref.uri)) this.objects.set(ref.uri, { ref, kind: input.kind, body });
    return ref;
  }

  putJson(input: PutJsonInput): Promise<ArtifactRef> {
    return this.put({
      runId: input.runId,
      kind: input.kind,
      body: Buffer.from(JSON.stringify(input.value), 'utf8'),
      mediaType: 'application/json',
    });
  }

  async getBuffer(ref: ArtifactRef): Promise<Buffer> {
    const found = this.objects.get(ref.uri);
    if (found === undefined) throw new ArtifactNotFoundError(ref.uri);
    const actual = { sha256: sha256Hex(found.body), sizeBytes: found.body.length };
    if (actual.sha256 !== ref.sha256 || actual.sizeBytes !== ref.sizeBytes) {
      throw new ArtifactIntegrityError(ref.uri, ref, actual);
    }
    return found.body;
  }

  async getJson<T = unknown>(ref: ArtifactRef): Promise<T> {
    const bytes = await this.getBuffer(ref);
    try {
      return JSON.parse(bytes.toString('utf8')) as T;
    } catch (err) {
      throw new ArtifactNotJsonError(ref.uri, { cause: err });
    }
  }

  async open(ref: ArtifactRef): Promise<Readable> {
    return Readable.from([await this.getBuffer(ref)]);
  }

  async exists(ref: ArtifactRef | string): Promise<boolean> {
    return this.objects.has(typeof ref === 'string' ? ref : ref.uri);
  }

  /**
   * Copies an artifact under `toPrefix` (a key prefix in this bucket or an `s3://bucket/prefix` URI), named
   * as the source unless `name` says otherwise. The same content there is a no-op, different content an
   * ArtifactConflictError.
   */
  async copy(ref: ArtifactRef, toPrefix: string, options: { name?: string } = {}): Promise<ArtifactRef> {
    const body = await this.getBuffer(ref);
    const prefixed = toPrefix.startsWith('s3://') ? toPrefix : `s3://${this.bucket}/${toPrefix}`;
    const name = options.name ?? parseS3Uri(ref.uri).key.split('/').at(-1)!;
    const uri = `${prefixed.replace(/\/+$/, '')}/${name}`;
    const existing = this.objects.get(uri);
    if (existing !== undefined) {
      if (existing.ref.sha256 === ref.sha256 && existing.ref.sizeBytes === ref.sizeBytes) {
        return { ...ref, uri };
      }
      throw new ArtifactConflictError(uri, existing.ref.sha256, ref.sha256);
    }
    const copy = { ...ref, uri };
    this.objects.set(uri, { ref: copy, kind: null, body });
    return copy;
  }

  /** The refs `put` under `kind` (e.g. `dataset/train`), in write order. */
  ofKind(kind: string): ArtifactRef[] {
    return [...this.objects.values()].filter((o) => o.kind === kind).map((o) => o.ref);
  }

  /** Replaces an object's bytes (a damaged artifact), keeping its ref: reads of it then fail verification. */
  overwrite(uri: string, body: Buffer): void {
    const found = this.objects.get(uri);
    if (found === undefined) throw new ArtifactNotFoundError(uri);
    this.objects.set(uri, { ...found, body });
  }
}
