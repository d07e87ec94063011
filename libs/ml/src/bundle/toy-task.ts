import { parseDatasetSchema, type DatasetSchema } from '@netsentry/dataset';
import type { LabelledFrame } from '../frame';
import { seededRandom } from '../random';

/** The schema of `toyTask`: two numeric columns, one categorical, a categorical label. */
export function toySchema(): DatasetSchema {
  return parseDatasetSchema(`
format: netsentry/dataset-schema@1
name: toy
target: { column: label, negative: [normal] }
columns:
  a: { type: numeric }
  b: { type: numeric }
  proto: { type: categorical, values: [tcp, udp, icmp] }
  label: { type: categorical }
`);
}

/**
 * A small deterministic task for tests and examples of the bundle and its scoring path: label 1 when
 * a + b > 2 or proto is icmp; every 37th `a` and every 41st `proto` is missing.
 */
export function toyTask(rows: number, seed: number): LabelledFrame {
  const rnd = seededRandom(seed);
  const a = new Float64Array(rows);
  const b = new Float64Array(rows);
  const proto: (string | null)[] = [];
  const labels = new Uint8Array(rows);
  for (let i = 0; i < rows; i++) {
    a[i] = rnd.next() * 2;
    b[i] = rnd.next() * 2;
    proto.push(['tcp', 'udp', 'icmp'][rnd.int(3)]!);
    labels[i] = a[i]! + b[i]! > 2 || proto[i] === 'icmp' ? 1 : 0;
    if (i % 37 === 0) a[i] = NaN;
    if (i % 41 === 0) proto[i] = null;
  }
  return {
    features: {
      rows,
      columns: [
        { kind: 'numeric', name: 'a', values: a },
        { kind: 'numeric', name: 'b', values: b },
        { kind: 'categorical', name: 'proto', values: proto },
      ],
    },
    labels,
  };
}
