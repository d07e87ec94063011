import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { toBuffer } from './body';

/** A pass-through stream that hashes and counts the bytes flowing through it, never holding them. */
export class HashingStream extends Transform {
  private readonly hash: Hash = createHash('sha256');
  private bytes = 0;
  private digestHex: string | null = null;

  override _transform(chunk: unknown, _encoding: BufferEncoding, callback: TransformCallback): void {
    const buf = toBuffer(chunk);
    this.hash.update(buf);
    this.bytes += buf.length;
    callback(null, buf);
  }

  override _flush(callback: TransformCallback): void {
    this.digestHex = this.hash.digest('hex');
    callback();
  }

  get sizeBytes(): number {
    return this.bytes;
  }

  /** The hex digest, known once the stream has ended. */
  get sha256(): string {
    if (this.digestHex === null) throw new Error('HashingStream: the digest is known only after the end');
    return this.digestHex;
  }
}

/**
 * A pass-through stream that checks the bytes against an expected sha256 and size. It fails as soon as
 * the size is exceeded, otherwise at the end — so a consumer must treat data as provisional until then.
 */
export class VerifyingStream extends Transform {
  private readonly hash: Hash = createHash('sha256');
  private bytes = 0;

  constructor(
    private readonly expected: { sha256: string; sizeBytes: number },
    private readonly onMismatch: (actual: { sha256: string | null; sizeBytes: number }) => Error,
  ) {
    super();
  }

  override _transform(chunk: unknown, _encoding: BufferEncoding, callback: TransformCallback): void {
    const buf = toBuffer(chunk);
    this.bytes += buf.length;
    if (this.bytes > this.expected.sizeBytes) {
      callback(this.onMismatch({ sha256: null, sizeBytes: this.bytes }));
      return;
    }
    this.hash.update(buf);
    callback(null, buf);
  }

  override _flush(callback: TransformCallback): void {
    const sha256 = this.hash.digest('hex');
    if (sha256 !== this.expected.sha256 || this.bytes !== this.expected.sizeBytes) {
      callback(this.onMismatch({ sha256, sizeBytes: this.bytes }));
      return;
    }
    callback();
  }
}

export function sha256Hex(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * sha256 of a large in-memory body, hashed in slices with a turn of the event loop between them, so a
 * 300 MB matrix does not hold up health checks and heartbeats for the second its hash takes.
 */
export async function sha256HexYielding(data: Uint8Array, sliceBytes = 16 * 1024 * 1024): Promise<string> {
  if (data.length <= sliceBytes) return sha256Hex(data);
  const hash = createHash('sha256');
  for (let at = 0; at < data.length; at += sliceBytes) {
    hash.update(data.subarray(at, Math.min(data.length, at + sliceBytes)));
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return hash.digest('hex');
}
