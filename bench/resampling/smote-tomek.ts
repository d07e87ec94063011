/**
 * SMOTE-Tomek benchmark, TypeScript side: for each case, read the CSV against its schema, fit and apply the
 * preprocessor (as transform does), then `smoteTomekWith` (k=5, seed 42) with `poolResamplingSearch` on a
 * WorkerPool — the transform service's path (with NEIGHBOURS set: `poolNeighbourSearch` with that method).
 * One JSON line per case, with the load average before and after.
 * Run through bench/resampling/run.sh (which also runs the Python side on the same rows), or:
 *   npx vite-node bench/resampling/smote-tomek.ts <case>...   case = nsl | synth:<csv>:<schema>:<rows>
 * Env: NEIGHBOURS = auto (default) | projected-tree | brute-force | kd-tree; WORKERS (default 2).
 */
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { loadDatasetSchema } from '@netsentry/dataset';
import { poolNeighbourSearch, poolResamplingSearch, WorkerPool } from '../../libs/ml/src/engines/worker-pool';
import {
  applyPreprocessor,
  asTrainSplit,
  fitPreprocessor,
  mapTarget,
  resolveNeighbourMethod,
  smoteTomekWith,
  type NeighbourMethod,
} from '../../libs/ml/src/preprocessing';
import { readCsvFrame } from '../../libs/ml/src/preprocessing/test/read-csv';

const ROOT = resolve(__dirname, '../..');
const seconds = (since: bigint): number => Number(process.hrtime.bigint() - since) / 1e9;
const load = (): number => Math.round(loadavg()[0]! * 100) / 100;

interface Case {
  readonly name: string;
  readonly csv: string;
  readonly schema: string;
  readonly rows: number;
  readonly imputation: 'knn' | 'median';
}

function parseCase(arg: string): Case {
  if (arg === 'nsl') {
    return {
      name: 'nsl-kdd-train',
      csv: resolve(ROOT, 'data/nsl-kdd/KDDTrain+.csv.gz'),
      schema: resolve(ROOT, 'data/schemas/nsl-kdd.yaml'),
      rows: Infinity,
      imputation: 'knn',
    };
  }
  const [kind, csv, schema, rows] = arg.split(':');
  if (kind !== 'synth' || !csv || !schema || !rows) throw new Error(`bad case '${arg}'`);
  return { name: `synth-${rows}`, csv, schema, rows: Number(rows), imputation: 'median' };
}

async function main(): Promise<void> {
  const method = (process.env.NEIGHBOURS ?? 'auto') as NeighbourMethod;
  const workers = Number(process.env.WORKERS ?? 2);
  const pool = new WorkerPool({ size: workers });
  // Warm the workers (their first job loads the TypeScript sources), as a long-running service's pool is.
  const warm = Float64Array.from({ length: 8_000 * 20 }, (_, i) => (i * 7919) % 101);
  await poolNeighbourSearch(pool, { method })(warm, 20, 5);
  for (const arg of process.argv.slice(2)) {
    const c = parseCase(arg);
    const schema = await loadDatasetSchema(c.schema);
    const { frame, labels: raw } = readCsvFrame(c.csv, schema, c.rows);
    const labels = mapTarget(schema, raw);
    const loadBefore = load();
    let t = process.hrtime.bigint();
    const fitted = fitPreprocessor(asTrainSplit({ features: frame, labels }), schema, {
      imputation: c.imputation,
      k: 3,
      seed: 42,
    });
    const X = applyPreprocessor(fitted, frame);
    const preprocess = seconds(t);
    t = process.hrtime.bigint();
    const cpu = process.cpuUsage(); // the whole process: the main thread and the workers
    const out = await smoteTomekWith(
      X.X,
      labels,
      { cols: X.cols, k: 5, seed: 42 },
      // auto: the service's path (Tomek links by class indexes, decision 0100); a method: its 1-NN of every row.
      method === 'auto' ? poolResamplingSearch(pool) : poolNeighbourSearch(pool, { method }),
    );
    const resample = seconds(t);
    const used = process.cpuUsage(cpu);
    console.log(
      JSON.stringify({
        side: 'ts',
        case: c.name,
        impl: `netsentry (${resolveNeighbourMethod(method, X.cols)}, ${workers} workers)`,
        rows_in: frame.rows,
        cols: X.cols,
        preprocess_s: preprocess,
        smote_tomek_s: resample,
        process_cpu_s: (used.user + used.system) / 1e6,
        synthetic: out.report.synthetic,
        tomek_removed: out.report.tomekRemoved,
        rows_out: out.rows,
        before: out.report.before,
        after: out.report.after,
        load_before: loadBefore,
        load_after: load(),
      }),
    );
  }
  await pool.close();
}

void main();
