/**
 * Writes a synthetic intrusion dataset for the whole-pipeline bench: a CSV of `rows` connection records
 * (heavy-tailed byte counts, bounded counters, rates in [0, 1], three categorical columns of 3, 60 and 11
 * values) with a binary label, and its schema file. The class balance is that of flow datasets in the field
 * (`attack-share`, default 0.2: CIC-IDS2017 is ~20% attack, UNSW-NB15's train part ~32%), so transform's
 * `auto` resampling policy sees a minority share below its threshold. Deterministic for a seed; no two rows
 * are equal (a continuous column is drawn for every row), so validation's duplicate check passes.
 *
 * Usage: vite-node bench/pipeline/gen-csv.ts <out.csv> <schema.yaml> <dataset-name> [rows] [attack-share]
 */
import { createWriteStream, writeFileSync } from 'node:fs';
import { once } from 'node:events';

import { seededRandom } from '../../libs/ml/src/random';

const [out, schemaOut, name, rowsArg, shareArg] = process.argv.slice(2);
if (!out || !schemaOut || !name) {
  throw new Error('usage: gen-csv.ts <out.csv> <schema.yaml> <dataset-name> [rows] [attack-share]');
}
const rows = Number(rowsArg ?? 500_000);
const attackShare = Number(shareArg ?? 0.2);
if (!Number.isSafeInteger(rows) || rows < 100)
  throw new Error(`rows: ${rowsArg} is not a whole number ≥ 100`);
if (!(attackShare > 0 && attackShare < 1)) throw new Error(`attack-share: ${shareArg} is not in (0, 1)`);

const PROTOCOLS = ['tcp', 'udp', 'icmp'];
const SERVICES = Array.from({ length: 60 }, (_, i) => `svc_${String(i).padStart(2, '0')}`);
const FLAGS = ['OTH', 'REJ', 'RSTO', 'RSTOS0', 'RSTR', 'S0', 'S1', 'S2', 'S3', 'SF', 'SH'];
const COUNTERS = 6; // integer counters 0..511
const RATES = 8; // shares in [0, 1]
const BYTES = 4; // heavy-tailed (log-normal) byte and packet counts

const rnd = seededRandom(11);
const gauss = (): number => Math.sqrt(-2 * Math.log(1 - rnd.next())) * Math.cos(2 * Math.PI * rnd.next());
/** A Zipf-like pick: the first values are common, the tail rare (as services are in real traffic). */
const zipf = (n: number, skew: number): number => Math.min(n - 1, Math.floor(n * rnd.next() ** skew));
const clamp01 = (x: number): number => Math.min(1, Math.max(0, x));

const header = [
  'duration',
  'protocol',
  'service',
  'flag',
  ...Array.from({ length: BYTES }, (_, i) => `bytes_${i}`),
  ...Array.from({ length: COUNTERS }, (_, i) => `count_${i}`),
  ...Array.from({ length: RATES }, (_, i) => `rate_${i}`),
  'label',
];

async function main(): Promise<void> {
  const file = createWriteStream(out!);
  file.write(`${header.join(',')}\n`);
  let attacks = 0;
  let chunk: string[] = [];
  for (let r = 0; r < rows; r++) {
    const attack = rnd.next() < attackShare;
    if (attack) attacks++;
    // attacks lean to other protocols, services and flags, with overlap so the task is not trivial
    const protocol = attack && rnd.next() < 0.4 ? 1 + rnd.int(2) : zipf(3, 2);
    const service = attack && rnd.next() < 0.5 ? 30 + zipf(30, 1.5) : zipf(60, 2.5);
    const flag =
      attack && rnd.next() < 0.5 ? [1, 2, 5, 10][rnd.int(4)]! : rnd.next() < 0.85 ? 9 : rnd.int(11);
    const shift = attack ? 1.5 : 0;
    const cells: (string | number)[] = [
      (Math.exp(1.5 * gauss() + (attack ? -0.5 : 0.5)) * 10).toFixed(3),
      PROTOCOLS[protocol]!,
      SERVICES[service]!,
      FLAGS[flag]!,
    ];
    for (let i = 0; i < BYTES; i++)
      cells.push(Math.round(Math.exp(2 * gauss() + 5 + (attack ? -i * 0.3 : 0))));
    for (let i = 0; i < COUNTERS; i++) {
      cells.push(
        Math.min(511, Math.max(0, Math.round(40 * Math.abs(gauss() + shift * (i % 2 === 0 ? 2 : -1))))),
      );
    }
    for (let i = 0; i < RATES; i++)
      cells.push(clamp01(0.3 + 0.25 * gauss() + (i < 4 ? shift * 0.4 : 0)).toFixed(2));
    // 0.5% label noise: hand-labelled captures have some; NSL-KDD's models reach F1 0.99
    cells.push(attack !== rnd.next() < 0.005 ? 'attack' : 'normal');
    chunk.push(cells.join(','));
    if (chunk.length === 10_000) {
      if (!file.write(`${chunk.join('\n')}\n`)) await once(file, 'drain');
      chunk = [];
    }
  }
  if (chunk.length > 0) file.write(`${chunk.join('\n')}\n`);
  file.end();
  await once(file, 'finish');

  const columns = [
    '  duration: { type: numeric, min: 0 }',
    `  protocol: { type: categorical, values: [${PROTOCOLS.join(', ')}] }`,
    `  service: { type: categorical, values: [${SERVICES.join(', ')}] }`,
    `  flag: { type: categorical, values: [${FLAGS.join(', ')}] }`,
    ...Array.from({ length: BYTES }, (_, i) => `  bytes_${i}: { type: numeric, integer: true, min: 0 }`),
    ...Array.from(
      { length: COUNTERS },
      (_, i) => `  count_${i}: { type: numeric, integer: true, min: 0, max: 511 }`,
    ),
    ...Array.from({ length: RATES }, (_, i) => `  rate_${i}: { type: numeric, min: 0, max: 1 }`),
    '  label: { type: categorical, values: [normal, attack], unknown: reject }',
  ];
  writeFileSync(
    schemaOut!,
    [
      '# Synthetic intrusion data written by bench/pipeline/gen-csv.ts (the whole-pipeline bench)',
      'format: netsentry/dataset-schema@1',
      `name: ${name}`,
      `title: synthetic flows, ${rows} rows, ${(attackShare * 100).toFixed(0)}% attack`,
      'target:',
      '  column: label',
      '  positive: [attack]',
      '  labels: { positive: attack, negative: normal }',
      'columns:',
      ...columns,
      '',
    ].join('\n'),
  );
  console.log(
    JSON.stringify({
      csv: out,
      schema: schemaOut,
      rows,
      attacks,
      attackShare: attacks / rows,
      columns: header.length,
    }),
  );
}

void main();
