import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { readNumericCsv, splitTarget } from '../../libs/ml/src/testing';

/** Where the phishing CSV lives and how the bench data directory is laid out (shared with py_bench.py). */
export const PHISHING_CSV = join(__dirname, '../../data/phishing.csv');
export const SYNTH_COLS = 30;
export const SYNTH_MAX_ROWS = 500_000;
export const SYNTH_TEST_ROWS = 20_000;

export function loadPhishing(): { X: Float64Array; y: Uint8Array; rows: number; cols: number } {
  return splitTarget(readNumericCsv(readFileSync(PHISHING_CSV, 'utf8')), 'Result', -1);
}

function readExact(path: string, bytes: number): ArrayBuffer {
  const buf = readFileSync(path);
  if (buf.length < bytes) throw new Error(`${path}: ${buf.length} bytes, need ${bytes}`);
  return buf.buffer.slice(buf.byteOffset, buf.byteOffset + bytes);
}

/** The first `rows` rows of a generated split (train or test) as row-major float32 + labels. */
export function loadSynthetic(
  dir: string,
  part: 'train' | 'test',
  rows: number,
): { X: Float32Array; y: Uint8Array } {
  return {
    X: new Float32Array(readExact(join(dir, `synth-${part}.X.f32`), rows * SYNTH_COLS * 4)),
    y: new Uint8Array(readExact(join(dir, `synth-${part}.y.u8`), rows)),
  };
}

export function loadIndices(dir: string, name: string): Uint32Array {
  const buf = readFileSync(join(dir, name));
  return new Uint32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length));
}
