/**
 * Live-drift cost on one core: NSL-KDD train (125,973 × 41, 3 categorical columns) profiled as a model
 * bundle would carry it, then its rows (shuffled, seed 1) streamed through `LiveDriftMonitor.observe` in
 * batches, with and without an `evaluate` after every batch. Prints one JSON line per case.
 * Usage: npx --no vite-node bench/inference/drift-bench.ts [passes (5)] [batch sizes (100,1000,5000)]
 */
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { createGunzip } from 'node:zlib';
import { loadDatasetSchema } from '@netsentry/dataset';
import { readLabelledFrame } from '../../libs/ml/src/dataset-frame';
import { takeRows, type Frame } from '../../libs/ml/src/frame';
import { seededRandom } from '../../libs/ml/src/random';
import { LiveDriftMonitor, profileFrame } from '../../libs/ml/src/stats';

const root = join(__dirname, '../..');

async function main(): Promise<void> {
  const passes = Number(process.argv[2] ?? 5);
  const sizes = (process.argv[3] ?? '100,1000,5000').split(',').map(Number);
  const schema = await loadDatasetSchema(join(root, 'data/schemas/nsl-kdd.yaml'));
  const input = createReadStream(join(root, 'data/nsl-kdd/KDDTrain+.csv.gz')).pipe(createGunzip());
  const { features } = await readLabelledFrame(schema, input);
  const profile = profileFrame(features, schema);
  const order = seededRandom(1).shuffle(Array.from({ length: features.rows }, (_, i) => i));

  for (const size of sizes) {
    // Batches are cut before timing: the bench measures the monitor, not takeRows.
    const batches: Frame[] = [];
    const times: Float64Array[] = [];
    for (let at = 0; at < order.length; at += size) {
      const batch = takeRows(features, order.slice(at, at + size));
      batches.push(batch);
      times.push(new Float64Array(batch.rows).fill(Date.now()));
    }
    for (const evaluateEach of [false, true]) {
      const monitor = new LiveDriftMonitor(profile, { windowSize: 5000 });
      let rows = 0;
      let drifted = 0;
      const t0 = process.hrtime.bigint();
      for (let p = 0; p < passes; p++) {
        for (let b = 0; b < batches.length; b++) {
          monitor.observe(batches[b]!, times[b]);
          rows += batches[b]!.rows;
          if (evaluateEach && monitor.evaluate()?.drifted) drifted++;
        }
      }
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      console.log(
        JSON.stringify({
          case: 'live-drift',
          features: monitor.features.length,
          windowSize: 5000,
          batch: size,
          evaluateEachBatch: evaluateEach,
          rows,
          seconds: Number(seconds.toFixed(3)),
          rowsPerSecond: Math.round(rows / seconds),
          driftedWindows: evaluateEach ? drifted : null,
        }),
      );
    }
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
