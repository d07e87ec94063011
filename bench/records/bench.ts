/**
 * Records in and out of MongoDB: `netsentry data load` (loadRecords) and ingestion's two export passes
 * (RecordStore.blocks + readInOrder, each row turned into its CSV line) on one CSV, into a fresh database
 * that is dropped afterwards. Prints one JSON line per step: rows/s, client CPU, and the server's CPU and
 * peak RSS when SERVER_PID names the server process (read from /proc).
 *   npx vite-node bench/records/bench.ts <csv> <schema.yaml>     env: NETSENTRY_MONGO_URI, SERVER_PID
 */
import { loadDatasetSchema, targetColumn } from '@netsentry/dataset';
import { loadRecords, RecordStore } from '@netsentry/records';
import { MongoClient } from 'mongodb';
import { readFileSync } from 'node:fs';

const [csvPath, schemaPath] = process.argv.slice(2);
if (!csvPath || !schemaPath) throw new Error('usage: bench.ts <csv> <schema.yaml>');
const uri = process.env['NETSENTRY_MONGO_URI'] ?? 'mongodb://127.0.0.1:27017/';
const pid = process.env['SERVER_PID'];

function serverCpuSeconds(): number {
  if (!pid) return 0;
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}
function serverRssMB(): number {
  if (!pid) return 0;
  const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m?.[1] ?? 0) / 1024;
}

async function measure(step: string, run: () => Promise<number>): Promise<void> {
  let serverPeak = serverRssMB();
  let clientPeak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    serverPeak = Math.max(serverPeak, serverRssMB());
    clientPeak = Math.max(clientPeak, process.memoryUsage().rss);
  }, 100);
  const cpu0 = process.cpuUsage();
  const server0 = serverCpuSeconds();
  const t0 = performance.now();
  const rows = await run();
  const wall = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  clearInterval(timer);
  const out = {
    impl: 'netsentry',
    step,
    rows,
    wall_s: +wall.toFixed(2),
    rows_per_s: Math.round(rows / wall),
    client_cpu_s: +((cpu.user + cpu.system) / 1e6).toFixed(2),
    client_peak_rss_mb: Math.round(clientPeak / 2 ** 20),
    ...(pid
      ? {
          server_cpu_s: +(serverCpuSeconds() - server0).toFixed(2),
          server_peak_rss_mb: Math.round(serverPeak),
        }
      : {}),
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

async function main(): Promise<void> {
  const client = new MongoClient(uri);
  await client.connect();
  const db = client.db(`bench_records_${process.pid}`);
  const store = new RecordStore(db);
  try {
    const schema = await loadDatasetSchema(schemaPath!);
    const load = { csvPath: csvPath!, schemaPath: schemaPath!, store };
    await measure('load', async () => (await loadRecords(load)).inserted);
    await measure('load again (all present)', async () => (await loadRecords(load)).alreadyPresent);
    const fields = schema.columns.map((c) => c.field);
    const target = targetColumn(schema).field;
    await measure('export: the one read from MongoDB (spool)', async () => {
      const snapshot = await store.spoolSnapshot(schema.name, new Date());
      await snapshot.close();
      return snapshot.rows;
    });
    await measure('export: spool + 2 passes in file order, CSV lines', async () => {
      const snapshot = await store.spoolSnapshot(schema.name, new Date());
      try {
        let labelled = 0;
        for await (const r of snapshot.records()) if (r.values[target] !== null) labelled++;
        let rows = 0;
        let bytes = 0;
        let previous = '';
        for await (const r of snapshot.records()) {
          if (r._id <= previous) throw new Error(`out of order: ${r._id} after ${previous}`);
          previous = r._id;
          bytes += fields.map((f) => String(r.values[f] ?? '')).join(',').length + 1;
          rows++;
        }
        if (labelled !== rows || bytes === 0) throw new Error('the two passes disagree');
        return rows;
      } finally {
        await snapshot.close();
      }
    });
  } finally {
    await db.dropDatabase();
    await client.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${String(err)}\n`);
  process.exitCode = 1;
});
