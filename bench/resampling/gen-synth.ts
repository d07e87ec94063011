/**
 * A synthetic intrusion-like dataset for the resampling benchmark: `<dir>/synth.csv` and its schema
 * `<dir>/synth.yaml` (the repo's dataset-schema format), so both sides read the same rows and the pipeline
 * could load it too. Modelled on NSL-KDD's kinds of columns, not on its values: 3 categorical columns
 * (protocol 3 values, service 80 with a Zipf-like spread, flag 6), byte counts log-normal and heavy-tailed,
 * connection counts, rates in steps of 0.01, small counters and a binary flag — 17 numeric columns, about
 * 109 once one-hot encoded. Rows come from 26 traffic profiles (16 normal, 10 attack; attacks 30 % of the
 * rows, under decision 0051's 0.35, so `auto` resamples it), each with its own protocol, services, flags
 * and typical values; 2 % of labels are flipped. Seeded: the same file for the same arguments.
 * Usage: vite-node bench/resampling/gen-synth.ts <dir> [rows=500000] [seed=1]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { seededRandom } from '../../libs/ml/src/random';

const dir = process.argv[2];
if (!dir) throw new Error('usage: gen-synth.ts <dir> [rows] [seed]');
const rows = Number(process.argv[3] ?? 500_000);
const seed = Number(process.argv[4] ?? 1);
if (!Number.isInteger(rows) || rows < 1)
  throw new Error(`rows must be a positive integer, got ${process.argv[3]}`);

const PROTOCOLS = ['tcp', 'udp', 'icmp'];
const SERVICES = Array.from({ length: 80 }, (_, i) => `svc${String(i).padStart(2, '0')}`);
const FLAGS = ['SF', 'S0', 'REJ', 'RSTO', 'SH', 'S1'];
const RATES = [
  'serror_rate',
  'rerror_rate',
  'same_srv_rate',
  'diff_srv_rate',
  'srv_diff_host_rate',
  'dst_host_same_srv_rate',
  'dst_host_serror_rate',
];
const COUNTS: [string, number][] = [
  ['count', 511],
  ['srv_count', 511],
  ['dst_host_count', 255],
];

const rng = seededRandom(seed);
const gauss = (): number => Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
const pick = <T>(xs: readonly T[], weights: readonly number[]): T => {
  let u = rng.next() * weights.reduce((a, b) => a + b, 0);
  for (let i = 0; i < xs.length; i++) if ((u -= weights[i]!) < 0) return xs[i]!;
  return xs[xs.length - 1]!;
};

interface Profile {
  readonly attack: boolean;
  readonly weight: number;
  readonly protocol: string;
  readonly services: string[];
  readonly serviceWeights: number[];
  readonly flags: string[];
  readonly flagWeights: number[];
  readonly durationZero: number;
  readonly srcMu: number;
  readonly dstMu: number;
  readonly dstZero: number;
  readonly counts: number[];
  readonly rates: number[];
  readonly rateJitter: number;
  readonly loggedIn: number;
  readonly hot: number;
}

function profile(attack: boolean, weight: number): Profile {
  const nServices = attack ? 1 + rng.int(6) : 4 + rng.int(14);
  const services = Array.from(
    { length: nServices },
    () => SERVICES[Math.floor(SERVICES.length * rng.next() ** 1.5)]!,
  );
  const flags = attack ? [pick(FLAGS, [1, 3, 3, 1, 1, 1]), 'SF'] : ['SF', pick(FLAGS, [0, 1, 1, 1, 1, 2])];
  return {
    attack,
    weight,
    protocol: pick(PROTOCOLS, attack ? [5, 2, 3] : [7, 3, 1]),
    services,
    serviceWeights: services.map((_, i) => 1 / (i + 1)),
    flags,
    flagWeights: attack ? [0.85, 0.15] : [0.95, 0.05],
    durationZero: attack ? 0.98 : 0.8,
    srcMu: attack ? rng.next() * 6 : 4 + rng.next() * 5,
    dstMu: attack ? rng.next() * 4 : 5 + rng.next() * 6,
    dstZero: attack ? 0.9 : 0.3,
    counts: COUNTS.map(([, max]) => (attack ? 20 + rng.next() * max : 1 + rng.next() * 30)),
    rates: RATES.map(() =>
      rng.next() < 0.5 ? 0 : rng.next() < 0.5 ? 1 : Math.round(rng.next() * 100) / 100,
    ),
    rateJitter: attack ? 0.1 : 0.3,
    loggedIn: attack ? 0.1 : 0.7,
    hot: attack ? 0.02 : 0.1,
  };
}

const zipf = (n: number): number[] => Array.from({ length: n }, (_, i) => 1 / (i + 1));
const normal = zipf(16).map((w, _, all) => (0.7 * w) / all.reduce((a, b) => a + b, 0));
const attacks = zipf(10).map((w, _, all) => (0.3 * w) / all.reduce((a, b) => a + b, 0));
const profiles = [...normal.map((w) => profile(false, w)), ...attacks.map((w) => profile(true, w))];
const weights = profiles.map((p) => p.weight);

const header = [
  'duration',
  'protocol_type',
  'service',
  'flag',
  'src_bytes',
  'dst_bytes',
  'logged_in',
  'hot',
  'num_failed_logins',
  ...COUNTS.map(([name]) => name),
  ...RATES,
  'label',
];
const lines: string[] = [header.join(',')];
const logNormalInt = (mu: number, sigma: number): number => Math.round(Math.exp(mu + sigma * gauss()));
for (let r = 0; r < rows; r++) {
  const p = pick(profiles, weights);
  const cells: (string | number)[] = [
    rng.next() < p.durationZero ? 0 : logNormalInt(2, 2),
    p.protocol,
    pick(p.services, p.serviceWeights),
    pick(p.flags, p.flagWeights),
    rng.next() < 0.05 ? 0 : logNormalInt(p.srcMu, 1.5),
    rng.next() < p.dstZero ? 0 : logNormalInt(p.dstMu, 1.8),
    rng.next() < p.loggedIn ? 1 : 0,
    rng.next() < p.hot ? 1 + rng.int(5) : 0,
    rng.next() < 0.01 ? 1 : 0,
    ...COUNTS.map(([, max], i) =>
      Math.max(0, Math.min(max, Math.round(p.counts[i]! * Math.exp(0.4 * gauss())))),
    ),
    ...p.rates.map((base) =>
      rng.next() < p.rateJitter
        ? Math.max(0, Math.min(1, Math.round((base + 0.15 * gauss()) * 100) / 100))
        : base,
    ),
  ];
  const attack = rng.next() < 0.02 ? !p.attack : p.attack;
  cells.push(attack ? 'attack' : 'normal');
  lines.push(cells.join(','));
}

const schema = `# Synthetic intrusion-like data for bench/resampling (bench/resampling/gen-synth.ts, ${rows} rows, seed ${seed}).
format: netsentry/dataset-schema@1
name: synth-intrusion
title: Synthetic intrusion-like connections
description: Generated by bench/resampling/gen-synth.ts; 26 traffic profiles, 30 % attacks, 2 % label noise.
target:
  column: label
  negative: [normal]
  labels: { positive: attack, negative: normal }
columns:
  duration: { type: numeric, integer: true, min: 0 }
  protocol_type: { type: categorical, values: [${PROTOCOLS.join(', ')}] }
  service: { type: categorical, values: [${SERVICES.join(', ')}] }
  flag: { type: categorical, values: [${FLAGS.join(', ')}] }
  src_bytes: { type: numeric, integer: true, min: 0 }
  dst_bytes: { type: numeric, integer: true, min: 0 }
  logged_in: { type: binary, values: [0, 1] }
  hot: { type: numeric, integer: true, min: 0 }
  num_failed_logins: { type: numeric, integer: true, min: 0 }
${COUNTS.map(([name, max]) => `  ${name}: { type: numeric, integer: true, min: 0, max: ${max} }`).join('\n')}
${RATES.map((name) => `  ${name}: { type: numeric, min: 0, max: 1 }`).join('\n')}
  label: { type: categorical, description: normal or attack }
`;
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, 'synth.csv'), lines.join('\n') + '\n');
writeFileSync(join(dir, 'synth.yaml'), schema);
console.log(`synthetic set: ${rows} rows × ${header.length - 1} features written to ${dir}`);
