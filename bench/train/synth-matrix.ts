/**
 * The whole-pipeline bench's synthetic set as the trainer receives it: `bench/pipeline/gen-csv.ts` writes
 * the CSV (seed 11, 20% attack, 0.5% label noise), then a stratified 80/20 split (seed 42) and transform's
 * preprocessing (median imputation, robust scaling, one-hot: 96 features; resampling `none`, as the
 * pipeline bench's `NETSENTRY_TRANSFORM_RESAMPLING=none` run). Writes train and test as matrix files
 * (`encodeMatrix`, what transform stores), so `search.ts` (`DATASET=matrix`) and `forest-profile.ts` read
 * the same bytes without transforming again.
 *
 * Usage: vite-node bench/train/synth-matrix.ts <dir> [rows]   (default 500000: 400,000 train rows)
 */
import { loadDatasetSchema } from '@netsentry/dataset';
import { execFileSync } from 'node:child_process';
import { createReadStream, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readLabelledFrame } from '../../libs/ml/src/dataset-frame';
import { takeRows, type LabelledFrame } from '../../libs/ml/src/frame';
import { encodeMatrix } from '../../libs/ml/src/matrix-file';
import { assignSplit } from '../../libs/ml/src/split';
import { transformDataset } from '../../libs/ml/src/transform-dataset';

async function main(): Promise<void> {
  const dir = process.argv[2];
  if (!dir) throw new Error('usage: synth-matrix.ts <dir> [rows]');
  const rows = process.argv[3] ?? '500000';
  mkdirSync(dir, { recursive: true });
  const csv = join(dir, `synth-${rows}.csv`);
  const schemaPath = join(dir, `synth-${rows}.yaml`);
  execFileSync(
    'npx',
    ['vite-node', resolve(__dirname, '../pipeline/gen-csv.ts'), csv, schemaPath, 'synth', rows],
    { stdio: 'inherit' },
  );
  const schema = await loadDatasetSchema(schemaPath);
  const data = await readLabelledFrame(schema, createReadStream(csv));
  const side = assignSplit({ labels: data.labels, testRatio: 0.2, seed: 42, stratified: true });
  const part = (want: number): LabelledFrame => {
    const idx = [...side.keys()].filter((i) => side[i] === want);
    return { features: takeRows(data.features, idx), labels: Uint8Array.from(idx, (i) => data.labels[i]!) };
  };
  const t = transformDataset(schema, part(0), part(1), {
    imputation: 'median',
    knnK: 3,
    resampling: 'none',
    smoteK: 5,
    seed: 42,
  });
  for (const [name, m] of [
    ['train', t.train],
    ['test', t.test],
  ] as const) {
    writeFileSync(join(dir, `synth-${rows}.${name}.nsmx`), encodeMatrix(m));
  }
  console.log(JSON.stringify({ dir, trainRows: t.train.rows, testRows: t.test.rows, cols: t.train.cols }));
}

void main();
