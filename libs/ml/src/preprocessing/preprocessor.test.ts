import { resolve } from 'node:path';
import { loadDatasetSchema, parseDatasetSchema } from '@netsentry/dataset';
import { describe, expect, it } from 'vitest';
import { UNKNOWN_CATEGORY } from './categorical-encoder';
import { findMissingSentinel, MISSING_SENTINEL_REPLACEMENT, XGBOOST_MISSING_VALUE } from './missing-sentinel';
import {
  applyPreprocessor,
  asTrainSplit,
  fitPreprocessor,
  PREPROCESSOR_FORMAT,
  type FittedPreprocessor,
} from './preprocessor';
import { parsePreprocessor, serializePreprocessor } from './preprocessor-artifact';
import { smoteTomek } from './smote-tomek';
import { mapTarget } from './target';
import { readCsvFrame } from './test/read-csv';
import type { Frame, LabelledFrame } from '../frame';

/** The `code` of the error a call throws (undefined when it does not throw). */
function thrownCode(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return undefined;
}

const nan = NaN;
const ROOT = resolve(__dirname, '../../../..');

const SCHEMA = parseDatasetSchema(`
format: netsentry/dataset-schema@1
name: toy
target: { column: label, negative: [normal] }
columns:
  a: { type: numeric }
  b: { type: numeric }
  c: { type: numeric }
  d: { type: numeric }
  flag: { type: binary, values: [no, yes] }
  proto: { type: categorical, values: [tcp, udp, icmp] }
  label: { type: categorical }
`);

// The numeric block of the KNN reference fixture (see knn-imputer.test.ts).
const A = [
  [1.0, 2.0, nan, 4.0],
  [3.0, 4.0, 3.0, nan],
  [nan, 6.0, 5.0, 8.0],
  [8.0, 8.0, 7.0, 1.0],
  [2.5, nan, 1.0, 3.0],
  [6.0, 1.0, 2.0, 9.0],
  [0.5, 7.5, 4.0, 2.0],
  [9.0, 3.0, nan, 6.5],
];

function toyFrame(rows: number[][], flags: (string | null)[], protos: (string | null)[]): Frame {
  return {
    rows: rows.length,
    columns: [
      ...['a', 'b', 'c', 'd'].map((name, j) => ({
        kind: 'numeric' as const,
        name,
        values: Float64Array.from(rows, (r) => r[j]!),
      })),
      { kind: 'categorical', name: 'flag', values: flags },
      { kind: 'categorical', name: 'proto', values: protos },
    ],
  };
}

const TRAIN_FRAME = toyFrame(
  A,
  ['no', 'yes', 'no', 'yes', null, 'no', 'no', 'yes'],
  ['tcp', 'udp', 'tcp', 'tcp', 'udp', null, 'tcp', 'udp'],
);
const TRAIN = asTrainSplit({
  features: TRAIN_FRAME,
  labels: mapTarget(SCHEMA, ['normal', 'neptune', 'normal', 'smurf', 'normal', 'normal', 'satan', 'normal']),
});

describe('fitPreprocessor / applyPreprocessor', () => {
  it('numeric block equals sklearn make_pipeline(KNNImputer(n_neighbors=3), RobustScaler()) to 1e-9', () => {
    // Reference: scikit-learn 1.2.1 (Debian python3-sklearn), produced by
    //   import numpy as np; from sklearn.pipeline import make_pipeline; from sklearn.impute import KNNImputer
    //   from sklearn.preprocessing import RobustScaler; nan = np.nan; A = <the 8×4 array above>
    //   print(make_pipeline(KNNImputer(n_neighbors=3), RobustScaler()).fit(A).transform(A).tolist())
    // The binary `flag` column joins the imputation block, so distances differ from the pure 4-column
    // fixture: fit this check on the numeric columns only.
    const numericOnly = parseDatasetSchema(`
format: netsentry/dataset-schema@1
name: toy-numeric
target: { column: label, negative: [normal] }
columns: { a: { type: numeric }, b: { type: numeric }, c: { type: numeric }, d: { type: numeric }, label: { type: categorical } }
`);
    const want = [
      [-0.8, -0.6206896551724138, -0.285714285714286, -0.12121212121212122],
      [-0.34285714285714286, -0.06896551724137931, -0.09523809523809541, 0.12121212121212122],
      [0.34285714285714286, 0.4827586206896552, 1.0476190476190474, 0.8484848484848485],
      [0.8, 1.0344827586206897, 2.1904761904761902, -0.8484848484848485],
      [-0.45714285714285713, 0.06896551724137931, -1.2380952380952384, -0.36363636363636365],
      [0.34285714285714286, -0.896551724137931, -0.6666666666666669, 1.0909090909090908],
      [-0.9142857142857143, 0.896551724137931, 0.476190476190476, -0.6060606060606061],
      [1.0285714285714285, -0.3448275862068966, 0.09523809523809515, 0.48484848484848486],
    ];
    const fitted = fitPreprocessor(TRAIN, numericOnly);
    const out = applyPreprocessor(fitted, TRAIN_FRAME);
    expect(out.featureNames).toEqual(['a', 'b', 'c', 'd']);
    want.forEach((row, r) => row.forEach((v, c) => expect(out.X[r * 4 + c]).toBeCloseTo(v, 9)));
  });

  it('encodes binary by the schema order and categorical one-hot with an unknown bucket', () => {
    const fitted = fitPreprocessor(TRAIN, SCHEMA);
    // icmp is listed in the schema but never seen at fit: it has no column of its own.
    expect(fitted.outputFeatures).toEqual([
      'a',
      'b',
      'c',
      'd',
      'flag',
      'proto=tcp',
      'proto=udp',
      `proto=${UNKNOWN_CATEGORY}`,
    ]);
    const live = toyFrame(
      [
        [1, 2, 3, 4],
        [1, 2, 3, 4],
        [1, 2, 3, 4],
        [1, 2, 3, 4],
      ],
      ['yes', 'no', 'yes', 'no'],
      ['udp', 'icmp', 'gre', null],
    );
    const out = applyPreprocessor(fitted, live);
    const row = (r: number): number[] => Array.from(out.X.subarray(r * out.cols, (r + 1) * out.cols));
    expect(row(0).slice(4)).toEqual([1, 0, 1, 0]);
    expect(row(1).slice(4)).toEqual([0, 0, 0, 1]); // seen in schema, unseen at fit → unknown
    expect(row(2).slice(4)).toEqual([1, 0, 0, 1]); // not in the schema → unknown
    expect(row(3).slice(4)).toEqual([0, 0, 0, 1]); // missing → unknown
    expect(findMissingSentinel(out.X)).toBe(-1);
  });

  it('maps the target with the schema positive class (unseen attack names are positive)', () => {
    expect(Array.from(mapTarget(SCHEMA, ['normal', 'neptune', 'never-seen-attack']))).toEqual([0, 1, 1]);
    expect(thrownCode(() => mapTarget(SCHEMA, ['normal', null]))).toBe('MISSING_LABEL');
  });

  it('never emits a real -1: it is nudged to the next double towards zero, order preserved', () => {
    // Phishing-style -1/1 column: median 1, IQR 2 ⇒ a raw -1 robust-scales to exactly -1.
    const schema = parseDatasetSchema(`
format: netsentry/dataset-schema@1
name: phish
target: { column: Result, positive: [-1] }
columns:
  SFH: { type: numeric, values: [-1, 0, 1] }
  Result: { type: binary, values: [-1, 1] }
`);
    const values = Float64Array.from([1, 1, 1, -1, 1, -1, 0, 1, -1]);
    const frame: Frame = { rows: values.length, columns: [{ kind: 'numeric', name: 'SFH', values }] };
    const fitted = fitPreprocessor(
      asTrainSplit({ features: frame, labels: new Uint8Array(values.length) }),
      schema,
    );
    const step = fitted.steps[0]!;
    expect(step.kind === 'numeric' && (values[3]! - step.scale.center) / step.scale.scale).toBe(
      XGBOOST_MISSING_VALUE,
    );
    const out = applyPreprocessor(fitted, frame);
    expect(findMissingSentinel(out.X)).toBe(-1);
    expect(out.X[3]).toBe(MISSING_SENTINEL_REPLACEMENT);
    expect(MISSING_SENTINEL_REPLACEMENT).toBeGreaterThan(-1);
    expect(MISSING_SENTINEL_REPLACEMENT - 2 ** -53).toBe(-1); // the adjacent double: nothing lies between
    expect(out.X[6]).toBeGreaterThan(out.X[3]!);
    expect(fitted.missingSentinel).toEqual({ value: -1, replacement: MISSING_SENTINEL_REPLACEMENT });
  });

  it('drops a column with no value at fit, as sklearn does', () => {
    const rows = A.map((r) => [r[0]!, nan, r[2]!, r[3]!]);
    const frame = toyFrame(rows, Array<string>(8).fill('no'), Array<string>(8).fill('tcp'));
    const fitted = fitPreprocessor(asTrainSplit({ features: frame, labels: new Uint8Array(8) }), SCHEMA);
    expect(fitted.outputFeatures).not.toContain('b');
    const out = applyPreprocessor(fitted, frame);
    expect(out.cols).toBe(fitted.outputFeatures.length);
    expect(findMissingSentinel(out.X)).toBe(-1);
  });

  it('fits only a TrainSplit (by type) and refuses missing columns at apply', () => {
    const labelled: LabelledFrame = { features: TRAIN_FRAME, labels: TRAIN.labels };
    // @ts-expect-error a plain LabelledFrame (e.g. the test split) is not a TrainSplit
    expect(() => fitPreprocessor(labelled, SCHEMA)).toThrow();
    const fitted = fitPreprocessor(TRAIN, SCHEMA);
    const missing: Frame = { rows: 1, columns: TRAIN_FRAME.columns.filter((c) => c.name !== 'proto') };
    expect(thrownCode(() => applyPreprocessor(fitted, missing))).toBe('MISSING_COLUMN');
  });

  it('round-trips through the JSON artifact and applies identically', () => {
    const fitted = fitPreprocessor(TRAIN, SCHEMA, { maxDonors: 5 });
    expect(fitted.imputation.donors?.rows).toHaveLength(5);
    const text = serializePreprocessor(fitted);
    const parsed = parsePreprocessor(text);
    expect(parsed).toEqual(fitted);
    expect(serializePreprocessor(parsed)).toBe(text);
    expect(applyPreprocessor(parsed, TRAIN_FRAME).X).toEqual(applyPreprocessor(fitted, TRAIN_FRAME).X);
  });

  it('refuses a wrong format version and a corrupted artifact with clear errors', () => {
    const fitted = fitPreprocessor(TRAIN, SCHEMA);
    const other = JSON.stringify({ ...fitted, format: 'netsentry/preprocessor@2' });
    expect(thrownCode(() => parsePreprocessor(other))).toBe('ARTIFACT_VERSION');
    expect(() => parsePreprocessor(other)).toThrow(
      /"netsentry\/preprocessor@2" is not supported .*preprocessor@1/,
    );
    const broken = JSON.parse(serializePreprocessor(fitted)) as {
      outputFeatures: string[];
      steps: { kind: string }[];
    };
    broken.outputFeatures.pop();
    broken.steps[0]!.kind = 'weird';
    expect(thrownCode(() => parsePreprocessor(JSON.stringify(broken)))).toBe('ARTIFACT_INVALID');
    expect(thrownCode(() => parsePreprocessor('not json'))).toBe('ARTIFACT_INVALID');
    expect(PREPROCESSOR_FORMAT).toBe('netsentry/preprocessor@1');
  });
});

describe('NSL-KDD end to end (41 columns, categorical one-hot)', () => {
  it('fits on train rows, applies to train and test rows, then SMOTE-Tomek', async () => {
    const schema = await loadDatasetSchema(resolve(ROOT, 'data/schemas/nsl-kdd.yaml'));
    const train = readCsvFrame(resolve(ROOT, 'data/nsl-kdd/KDDTrain+.csv.gz'), schema, 3000);
    const test = readCsvFrame(resolve(ROOT, 'data/nsl-kdd/KDDTest+.csv.gz'), schema, 1000);
    expect(train.frame.columns).toHaveLength(41);
    const labels = mapTarget(schema, train.labels);
    const fitted: FittedPreprocessor = fitPreprocessor(
      asTrainSplit({ features: train.frame, labels }),
      schema,
    );
    const reloaded = parsePreprocessor(serializePreprocessor(fitted));
    const tr = applyPreprocessor(reloaded, train.frame);
    const te = applyPreprocessor(reloaded, test.frame);
    // 38 numeric/binary (num_outbound_cmds is constant 0, not missing, so it stays) + 3 one-hot groups.
    const oneHot = fitted.steps.reduce(
      (s, st) => s + (st.kind === 'categorical' ? st.categories.length + 1 : 0),
      0,
    );
    expect(tr.cols).toBe(38 + oneHot);
    expect(te.cols).toBe(tr.cols);
    expect([tr.rows, te.rows]).toEqual([3000, 1000]);
    expect(findMissingSentinel(tr.X)).toBe(-1);
    expect(findMissingSentinel(te.X)).toBe(-1);
    // Each row has exactly one 1 per categorical group.
    const groups = fitted.steps.filter((s) => s.kind === 'categorical').length;
    const firstOneHot = tr.featureNames.findIndex((f) => f.includes('='));
    expect(firstOneHot).toBeGreaterThan(0);
    const resampled = smoteTomek(tr.X, labels, { cols: tr.cols, seed: 42 });
    expect(resampled.report.afterSmote.negative).toBe(resampled.report.afterSmote.positive);
    expect(resampled.rows).toBe(resampled.report.after.negative + resampled.report.after.positive);
    expect(groups).toBe(3);
  });
});

describe('high-cardinality categoricals (max_categories, min_frequency)', () => {
  // 500 values; value v occurs (v % 50) + 1 times, so frequencies are known and tie in groups of ten.
  const values: string[] = [];
  for (let v = 0; v < 500; v++) for (let r = 0; r <= v % 50; r++) values.push(`p${v}`);
  const n = values.length;
  const frame: Frame = {
    rows: n,
    columns: [
      { kind: 'numeric', name: 'x', values: Float64Array.from(values, (_, i) => i % 7) },
      { kind: 'categorical', name: 'proto', values },
    ],
  };
  const train = asTrainSplit({ features: frame, labels: Uint8Array.from(values, (_, i) => i % 2) });
  const schema = (limits: string) =>
    parseDatasetSchema(`
format: netsentry/dataset-schema@1
name: wide
target: { column: label, negative: [normal] }
columns:
  x: { type: numeric }
  proto: { type: categorical${limits} }
  label: { type: categorical }
`);

  it('max_categories: 20 keeps the 20 most frequent values, plus the unknown bucket for the rest', () => {
    const fitted = fitPreprocessor(train, schema(', max_categories: 20'), { imputation: 'median' });
    const protoColumns = fitted.outputFeatures.filter((f) => f.startsWith('proto='));
    expect(protoColumns).toHaveLength(21);
    expect(protoColumns.at(-1)).toBe(`proto=${UNKNOWN_CATEGORY}`);
    // The most frequent are the values with v % 50 = 49 (50 each: ten of them), then v % 50 = 48;
    // ties go by sorted order, and the kept ones stay in sorted order.
    const kept = protoColumns.slice(0, -1).map((f) => f.slice('proto='.length));
    const expected = [...Array.from({ length: 500 }, (_, v) => v).filter((v) => v % 50 >= 48)]
      .map((v) => `p${v}`)
      .sort();
    expect(kept).toEqual(expected);
    const X = applyPreprocessor(fitted, frame);
    const unknownCol = fitted.outputFeatures.indexOf(`proto=${UNKNOWN_CATEGORY}`);
    let inUnknown = 0;
    for (let r = 0; r < n; r++) inUnknown += X.X[r * X.cols + unknownCol]!;
    // Every row of a value that was not kept is in the bucket: all rows but 10×50 + 10×49.
    expect(inUnknown).toBe(n - 10 * 50 - 10 * 49);
    // Without the option, every value is a column.
    const all = fitPreprocessor(train, schema(''), { imputation: 'median' });
    expect(all.outputFeatures.filter((f) => f.startsWith('proto='))).toHaveLength(501);
  });

  it('min_frequency as a count and as a share of the rows', () => {
    const byCount = fitPreprocessor(train, schema(', min_frequency: 41'), { imputation: 'median' });
    // Values seen 41..50 times: v % 50 ≥ 40, ten groups of ten.
    expect(byCount.outputFeatures.filter((f) => f.startsWith('proto='))).toHaveLength(100 + 1);
    const share = 41 / n;
    const byShare = fitPreprocessor(train, schema(`, min_frequency: ${share}`), { imputation: 'median' });
    expect(byShare.outputFeatures).toEqual(byCount.outputFeatures);
    const both = fitPreprocessor(train, schema(', min_frequency: 41, max_categories: 5'), {
      imputation: 'median',
    });
    expect(both.outputFeatures.filter((f) => f.startsWith('proto='))).toHaveLength(5 + 1);
  });
});
