/* eslint-disable @typescript-eslint/require-await -- in-memory stand-ins keep the async signatures of the stores they replace */
import type { PutArtifactInput, PutJsonInput } from '@netsentry/artifacts';
import type { ArtifactRef } from '@netsentry/contracts';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';

async function bytesOf(body: PutArtifactInput['body']): Promise<Buffer> {
  if (Buffer.isBuffer(body)) return body;
  if (body instanceof Uint8Array) return Buffer.from(body);
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

/**
 * An in-memory stand-in for ArtifactStore's reads and writes, for use-case unit tests (no S3): objects by
 * URI, refs with the bytes' real SHA-256 and size, reads that fail like the store's on an unknown URI.
 */
export class MemoryArtifacts {
  private readonly objects = new Map<string, { ref: ArtifactRef; kind: string; body: Buffer }>();

  async put(input: PutArtifactInput): Promise<ArtifactRef> {
    const body = await bytesOf(input.body);
    const sha256 = createHash('sha256').update(body).digest('hex');
    const ref: ArtifactRef = {
      uri: `s3://memory/runs/${input.runId}/${input.kind}/${sha256.slice(0, 16)}`,
      sha256,
      sizeBytes: body.length,
      rowCount: input.rowCount ?? null,
      mediaType: input.mediaType,
    };
    this.objects.set(ref.uri, { ref, kind: input.kind, body });
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
    if (!found) throw new Error(`no artifact at ${ref.uri}`);
    return found.body;
  }

  async getJson<T = unknown>(ref: ArtifactRef): Promise<T> {
    return JSON.parse((await this.getBuffer(ref)).toString('utf8')) as T;
  }

  async open(ref: ArtifactRef): Promise<Readable> {
    return Readable.from([await this.getBuffer(ref)]);
  }

  async exists(ref: ArtifactRef | string): Promise<boolean> {
    return this.objects.has(typeof ref === 'string' ? ref : ref.uri);
  }

  /** The refs written under `kind`, in write order. */
  ofKind(kind: string): ArtifactRef[] {
    return [...this.objects.values()].filter((o) => o.kind === kind).map((o) => o.ref);
  }

  /** Replaces an object's bytes (a damaged artifact), keeping its ref. */
  overwrite(uri: string, body: Buffer): void {
    const found = this.objects.get(uri);
    if (!found) throw new Error(`no artifact at ${uri}`);
    this.objects.set(uri, { ...found, body });
  }
}
