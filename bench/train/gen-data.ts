/**
 * Writes every input of the training benchmark once, so the TypeScript and the Python side read the very
 * same bytes: synthetic train (500k × 30, the smaller cases use its first rows) and test (20k) as row-major
 * float32 + uint8 labels, and the phishing stratified 80/20 seed-42 split as uint32 row indices.
 * Usage: vite-node bench/train/gen-data.ts <dir>
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { stratifiedSplit, syntheticTask } from '../../libs/ml/src/testing';
import { loadPhishing, SYNTH_COLS, SYNTH_MAX_ROWS, SYNTH_TEST_ROWS } from './common';

const dir = process.argv[2];
if (!dir) throw new Error('usage: gen-data.ts <dir>');
mkdirSync(dir, { recursive: true });
const write = (name: string, a: ArrayBufferView): void =>
  writeFileSync(join(dir, name), new Uint8Array(a.buffer, a.byteOffset, a.byteLength));

const train = syntheticTask(SYNTH_MAX_ROWS, SYNTH_COLS, 1);
write('synth-train.X.f32', train.X);
write('synth-train.y.u8', train.y);
const test = syntheticTask(SYNTH_TEST_ROWS, SYNTH_COLS, 2);
write('synth-test.X.f32', test.X);
write('synth-test.y.u8', test.y);
const phishing = loadPhishing();
const split = stratifiedSplit(phishing.y, 0.2, 42);
write('phishing-train.u32', split.train);
write('phishing-test.u32', split.test);
console.log(`bench data written to ${dir}`);
