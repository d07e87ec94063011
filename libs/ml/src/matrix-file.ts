import { CodedError } from '@netsentry/contracts/coded-error';
/**
 * The transformed-dataset file: what transform writes and trainer/evaluator read. A small self-describing
 * binary so 100k × 120 doubles need no CSV parsing: `NSMX` magic, a version byte, a little-endian uint32
 * header length, a JSON header {rows, cols, featureNames}, then rows × cols float64 (row-major, 8-aligned)
 * and rows uint8 labels.
 */
export interface LabelledMatrix {
  readonly X: Float64Array;
  readonly y: Uint8Array;
  readonly rows: number;
  readonly cols: number;
  readonly featureNames: readonly string[];
}

export const MATRIX_MEDIA_TYPE = 'application/x-netsentry-matrix';
const MAGIC = Buffer.from('NSMX', 'ascii');
const VERSION = 1;

export class MatrixFileError extends CodedError<'MATRIX_FILE_INVALID'> {
  readonly code = 'MATRIX_FILE_INVALID';
  constructor(message: string) {
    super(`invalid matrix file: ${message}`);
  }
}

export function encodeMatrix(m: LabelledMatrix): Buffer {
  if (m.X.length !== m.rows * m.cols)
    throw new MatrixFileError(`X has ${m.X.length} values for ${m.rows}×${m.cols}`);
  if (m.y.length !== m.rows) throw new MatrixFileError(`${m.y.length} labels for ${m.rows} rows`);
  if (m.featureNames.length !== m.cols)
    throw new MatrixFileError(`${m.featureNames.length} names for ${m.cols} columns`);
  let header = Buffer.from(
    JSON.stringify({ rows: m.rows, cols: m.cols, featureNames: m.featureNames }),
    'utf8',
  );
  // Pad the header with spaces so the float64 block starts 8-byte aligned.
  const pad = (8 - ((MAGIC.length + 1 + 4 + header.length) % 8)) % 8;
  header = Buffer.concat([header, Buffer.alloc(pad, 0x20)]);
  const prefix = Buffer.alloc(MAGIC.length + 5);
  MAGIC.copy(prefix, 0);
  prefix.writeUInt8(VERSION, 4);
  prefix.writeUInt32LE(header.length, 5);
  return Buffer.concat([
    prefix,
    header,
    Buffer.from(m.X.buffer, m.X.byteOffset, m.X.byteLength),
    Buffer.from(m.y.buffer, m.y.byteOffset, m.y.byteLength),
  ]);
}

export function decodeMatrix(bytes: Buffer): LabelledMatrix {
  if (bytes.length < 9 || !bytes.subarray(0, 4).equals(MAGIC)) throw new MatrixFileError('no NSMX marker');
  const version = bytes.readUInt8(4);
  if (version !== VERSION) throw new MatrixFileError(`version ${version}, this reader knows ${VERSION}`);
  const headerLength = bytes.readUInt32LE(5);
  const header = JSON.parse(bytes.subarray(9, 9 + headerLength).toString('utf8')) as {
    rows: number;
    cols: number;
    featureNames: string[];
  };
  const start = 9 + headerLength;
  const xBytes = header.rows * header.cols * 8;
  if (bytes.length !== start + xBytes + header.rows) {
    throw new MatrixFileError(`${bytes.length} bytes, expected ${start + xBytes + header.rows}`);
  }
  // Copy into fresh aligned memory: a Buffer slice may not be 8-byte aligned in its pool.
  const X = new Float64Array(header.rows * header.cols);
  new Uint8Array(X.buffer).set(bytes.subarray(start, start + xBytes));
  const y = Uint8Array.from(bytes.subarray(start + xBytes));
  return { X, y, rows: header.rows, cols: header.cols, featureNames: header.featureNames };
}
