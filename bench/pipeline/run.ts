/**
 * The whole pipeline, timed: `netsentry start --once --no-servers` (the main job: `data load`, the seven
 * services as processes, a RETRAIN through Kafka, every stage to `model.pushed`, a short live replay) against
 * the running local servers, on a dataset, database, bucket and topic prefix of its own — so nothing of
 * another system is reused or disturbed. While it runs, it samples every second each service process's
 * peak memory (VmHWM of /proc/<pid>/status, from the log dir's supervised.json), the servers' RSS, and each
 * service's progress gauges (`netsentry_stage_progress_*` on /metrics). At the end it prints one JSON line:
 * the stages' durations (the registry's ledger, via the summary JSON), load → pushed, and the peaks.
 *
 *   vite-node bench/pipeline/run.ts nsl-kdd            NSL-KDD train + test (148,517 rows)
 *   vite-node bench/pipeline/run.ts synth [rows]       bench/pipeline/gen-csv.ts's set (default 500,000 rows)
 *
 * Settings (environment): BENCH_PORT_BASE (default 38081), BENCH_MAX_MINUTES (default 25: past it the job is
 * interrupted and the stage it was in reported), BENCH_KEEP=1 keeps the database, bucket and topics.
 * NETSENTRY_LOCAL_STATE names the servers' state folder, as for deploy/local/infra.
 */
import { execFileSync, spawn } from 'node:child_process';
import {
  createReadStream,
  createWriteStream,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';

import { parsePrometheusText } from '../../cli/src/inference-status';

const root = resolve(__dirname, '../..');
const [which = 'nsl-kdd', rowsArg] = process.argv.slice(2);
if (which !== 'nsl-kdd' && which !== 'synth') throw new Error('usage: run.ts nsl-kdd | synth [rows]');
const portBase = Number(process.env.BENCH_PORT_BASE ?? 38_081);
const maxMs = Number(process.env.BENCH_MAX_MINUTES ?? 25) * 60_000;
const stamp = new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14);
const work = `/tmp/netsentry-pipeline-bench-${stamp}`;
mkdirSync(work, { recursive: true });
const log = (line: string): void => void process.stderr.write(`bench: ${line}\n`);
const loadavg = (): string => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

/** NSL-KDD train + test as one CSV (one header), and its schema under a dataset name of the bench's own. */
async function prepareNslKdd(dataset: string): Promise<{ csv: string; schema: string; rows: number }> {
  const csv = join(work, 'nsl-kdd-train-test.csv');
  const out = createWriteStream(csv);
  let rows = 0;
  for (const [i, file] of ['KDDTrain+.csv.gz', 'KDDTest+.csv.gz'].entries()) {
    let first = true;
    const lines = createInterface({
      input: createReadStream(join(root, 'data/nsl-kdd', file)).pipe(createGunzip()),
    });
    for await (const line of lines) {
      if (first) {
        first = false;
        if (i > 0) continue; // one header
      } else rows++;
      if (!out.write(`${line}\n`)) await new Promise<void>((r) => out.once('drain', () => r()));
    }
  }
  await new Promise((r) => out.end(r));
  const schema = join(work, `${dataset}.yaml`);
  const text = readFileSync(join(root, 'data/schemas/nsl-kdd.yaml'), 'utf8');
  writeFileSync(schema, text.replace(/^name: nsl-kdd$/m, `name: ${dataset}`));
  return { csv, schema, rows };
}

function prepareSynth(dataset: string, rows: number): { csv: string; schema: string; rows: number } {
  const csv = join(work, `synth-${rows}.csv`);
  const schema = join(work, `${dataset}.yaml`);
  const out = execFileSync(
    'npx',
    ['--no-install', 'vite-node', join(__dirname, 'gen-csv.ts'), csv, schema, dataset, String(rows)],
    { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
  );
  log(`generated ${out.trim().split('\n').at(-1)}`);
  return { csv, schema, rows };
}

function infraEnv(): Record<string, string> {
  const text = execFileSync(join(root, 'deploy/local/infra'), ['env'], { encoding: 'utf8' });
  return Object.fromEntries(
    [...text.matchAll(/^export (\w+)=(.*)$/gm)].map((m) => [m[1]!, m[2]!.replace(/^'(.*)'$/, '$1')]),
  );
}

function serverPids(): Record<string, number> {
  const text = execFileSync(join(root, 'deploy/local/infra'), ['status'], { encoding: 'utf8' });
  return Object.fromEntries(
    [...text.matchAll(/^(\w+)\s+running\s+pid (\d+)/gm)].map((m) => [m[1]!, Number(m[2])]),
  );
}

/** VmHWM and VmRSS of a process in MiB; null once it is gone. */
function memory(pid: number): { hwm: number; rss: number } | null {
  try {
    const s = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (k: string): number => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(s)?.[1] ?? 0);
    return { hwm: kb('VmHWM') / 1024, rss: kb('VmRSS') / 1024 };
  } catch {
    return null;
  }
}

interface Sampled {
  peakMiB: number;
  pids: number[];
}

async function main(): Promise<void> {
  const dataset = `bench-${which}-${stamp}`;
  const input =
    which === 'nsl-kdd' ? await prepareNslKdd(dataset) : prepareSynth(dataset, Number(rowsArg ?? 500_000));
  const isolation = {
    NETSENTRY_TOPIC_PREFIX: `pb${stamp}.`,
    NETSENTRY_MONGO_DATABASE: `pb_${stamp}`,
    NETSENTRY_S3_BUCKET: `pb-${stamp}`,
  };
  const env = {
    ...process.env,
    ...infraEnv(),
    ...isolation,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
  const logDir = join(work, 'logs');
  const summaryFile = join(work, 'summary.json');
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? '?'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB`;
  const loadBefore = loadavg();
  log(
    `${which}: ${input.rows.toLocaleString('en')} rows, dataset ${dataset}, work ${work}; load ${loadBefore}`,
  );

  const servers = serverPids();
  const serverStart: Record<string, number> = {};
  const serverPeak: Record<string, number> = {};
  for (const [name, pid] of Object.entries(servers)) serverStart[name] = memory(pid)?.rss ?? 0;
  const services: Record<string, Sampled> = {};
  const progress: { t: number; service: string; phase: string; ratio: number; eta: number }[] = [];
  const progressLog = createWriteStream(join(work, 'progress.jsonl'));
  const events: { t: number; line: string }[] = [];
  const loads: string[] = [];

  const t0 = Date.now();
  const child = spawn(
    process.execPath,
    [
      join(root, 'cli/bin/netsentry.js'),
      'start',
      '--once',
      '--no-servers',
      '--data',
      input.csv,
      '--schema',
      input.schema,
      '--summary-json',
      summaryFile,
      '--port-base',
      String(portBase),
      '--log-dir',
      logDir,
      '--limit',
      '5000',
      '--run-timeout',
      String(Math.ceil(maxMs / 1000) + 60),
    ],
    { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const stderr = createWriteStream(join(work, 'start.stderr.txt'));
  const stdout = createWriteStream(join(work, 'start.stdout.txt'));
  child.stdout.pipe(stdout);
  createInterface({ input: child.stderr }).on('line', (line) => {
    stderr.write(`${line}\n`);
    // stage transitions and the data load's begin and end, on the bench's clock
    if (/\] (data: |train: |serve: |services: all|live|netsentry: .*failed)/.test(line)) {
      events.push({ t: Date.now() - t0, line: line.replace(/^\[\s*[\d.]+ s\] /, '') });
      log(`${((Date.now() - t0) / 1000).toFixed(1)} s: ${events.at(-1)!.line}`);
    }
  });
  const exited = new Promise<number>((r) =>
    child.on('exit', (code, signal) => r(code ?? (signal ? 128 : 1))),
  );
  let done = false;
  let interrupted = false;
  void exited.then(() => (done = true));

  let tick = 0;
  while (!done) {
    await new Promise((r) => setTimeout(r, 1_000));
    tick++;
    const file = join(logDir, 'supervised.json');
    if (existsSync(file)) {
      try {
        const state = JSON.parse(readFileSync(file, 'utf8')) as {
          processes: { name: string; pid: number | null }[];
        };
        for (const p of state.processes) {
          if (p.pid === null) continue;
          const m = memory(p.pid);
          if (m === null) continue;
          const s = (services[p.name] ??= { peakMiB: 0, pids: [] });
          if (!s.pids.includes(p.pid)) s.pids.push(p.pid);
          s.peakMiB = Math.max(s.peakMiB, m.hwm);
        }
      } catch {
        // written while read: the next tick has it
      }
    }
    for (const [name, pid] of Object.entries(servers)) {
      serverPeak[name] = Math.max(serverPeak[name] ?? 0, memory(pid)?.rss ?? 0);
    }
    if (tick % 5 === 0) {
      loads.push(loadavg());
      await Promise.all(
        Object.keys(services).map(async (name, i) => {
          const url = `http://127.0.0.1:${portBase + serviceIndex(name, i)}/metrics`;
          try {
            const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
            const samples = parsePrometheusText(await res.text());
            for (const s of samples) {
              if (s.name !== 'netsentry_stage_progress_ratio' || s.value >= 1) continue;
              const eta = samples.find(
                (e) => e.name === 'netsentry_stage_progress_eta_seconds' && e.labels.phase === s.labels.phase,
              );
              const row = {
                t: Date.now() - t0,
                service: name,
                phase: s.labels.phase ?? '?',
                ratio: s.value,
                eta: eta?.value ?? -1,
              };
              progress.push(row);
              progressLog.write(`${JSON.stringify(row)}\n`);
            }
          } catch {
            // busy or gone: the next scrape
          }
        }),
      );
    }
    if (!done && !interrupted && Date.now() - t0 > maxMs) {
      interrupted = true;
      log(`past ${maxMs / 60_000} minutes: interrupting (SIGINT) at ${events.at(-1)?.line ?? 'start'}`);
      child.kill('SIGINT');
    }
  }
  const exit = await exited;
  const wallMs = Date.now() - t0;
  progressLog.end();

  const at = (re: RegExp): number | null => events.find((e) => re.test(e.line))?.t ?? null;
  const loadStart = at(/^data: loading/);
  const loadEnd = at(/^data: [\d,]+ inserted/);
  const summary = existsSync(summaryFile)
    ? (JSON.parse(readFileSync(summaryFile, 'utf8')) as {
        run: { runId: string; status: string; startedAt: string; endedAt: string | null; stages: unknown[] };
        model: { version: string; candidate: string; testF1: number | null; cvF1: number | null };
      })
    : null;
  // the run as `runs show` reports it (each stage's outcome and time), also when the job did not finish
  const runId = /run (run-[\w-]+)/.exec(events.find((e) => /RETRAIN sent/.test(e.line))?.line ?? '')?.[1];
  let runReport: unknown = null;
  if (runId !== undefined) {
    try {
      runReport = JSON.parse(
        execFileSync(
          process.execPath,
          [join(root, 'cli/bin/netsentry.js'), 'runs', 'show', runId, '--json'],
          {
            env,
            encoding: 'utf8',
            stdio: ['ignore', 'pipe', 'ignore'],
          },
        ),
      );
    } catch (err) {
      log(`runs show ${runId}: ${String(err)}`);
    }
  }
  const runEnd = summary?.run?.endedAt ? Date.parse(summary.run.endedAt) - t0 : null;
  const result = {
    bench: 'pipeline',
    dataset: which,
    rows: input.rows,
    exit,
    interrupted,
    date: new Date(t0).toISOString(),
    machine,
    loadBefore,
    loadDuring: loads,
    loadAfter: loadavg(),
    wallS: wallMs / 1000,
    loadS: loadStart !== null && loadEnd !== null ? (loadEnd - loadStart) / 1000 : null,
    loadToPushedS: loadStart !== null && runEnd !== null ? (runEnd - loadStart) / 1000 : null,
    run: summary?.run ?? null,
    runReport,
    model: summary?.model ?? null,
    lastEvent: events.at(-1) ?? null,
    lastProgress: progress.slice(-6),
    servicePeakMiB: Object.fromEntries(Object.entries(services).map(([k, v]) => [k, Math.round(v.peakMiB)])),
    serviceRestarts: Object.fromEntries(Object.entries(services).map(([k, v]) => [k, v.pids.length - 1])),
    serverRssMiB: Object.fromEntries(
      Object.keys(servers).map((k) => [
        k,
        { before: Math.round(serverStart[k] ?? 0), peak: Math.round(serverPeak[k] ?? 0) },
      ]),
    ),
    events,
    work,
  };
  writeFileSync(join(work, 'result.json'), `${JSON.stringify(result, null, 2)}\n`);
  if (process.env.BENCH_KEEP !== '1') {
    await cleanUp(env, isolation);
    // the test split the main job replayed, written to the servers' state folder
    if (runId !== undefined) {
      const state = process.env.NETSENTRY_LOCAL_STATE ?? join(root, '.local');
      rmSync(join(state, 'start', `${runId}-test.csv`), { force: true });
    }
  }
  console.log(JSON.stringify(result));
}

/** The catalogue order of the services (their ports follow --port-base in this order). */
function serviceIndex(name: string, fallback: number): number {
  const order = ['ingestion', 'validation', 'transform', 'trainer', 'evaluator', 'pusher', 'inference'];
  const i = order.indexOf(name);
  return i < 0 ? fallback : i;
}

/** Drops the bench's database, empties and removes its bucket, deletes its topics. */
async function cleanUp(
  env: NodeJS.ProcessEnv,
  isolation: {
    NETSENTRY_TOPIC_PREFIX: string;
    NETSENTRY_MONGO_DATABASE: string;
    NETSENTRY_S3_BUCKET: string;
  },
): Promise<void> {
  const { MongoClient } = await import('mongodb');
  const mongo = new MongoClient(env.NETSENTRY_MONGO_URI!);
  try {
    await mongo.connect();
    await mongo.db(isolation.NETSENTRY_MONGO_DATABASE).dropDatabase();
  } catch (err) {
    log(`clean-up: database ${isolation.NETSENTRY_MONGO_DATABASE}: ${String(err)}`);
  } finally {
    await mongo.close();
  }
  const s3 = await import('@aws-sdk/client-s3');
  const client = new s3.S3Client({
    region: env.NETSENTRY_S3_REGION ?? 'us-east-1',
    endpoint: env.NETSENTRY_S3_ENDPOINT,
    forcePathStyle: true,
    credentials: { accessKeyId: env.NETSENTRY_S3_ACCESS_KEY!, secretAccessKey: env.NETSENTRY_S3_SECRET_KEY! },
  });
  try {
    const Bucket = isolation.NETSENTRY_S3_BUCKET;
    for (;;) {
      const page = await client.send(new s3.ListObjectsV2Command({ Bucket }));
      const keys = (page.Contents ?? []).flatMap((o) => (o.Key === undefined ? [] : [o.Key]));
      if (keys.length === 0) break;
      for (const Key of keys) await client.send(new s3.DeleteObjectCommand({ Bucket, Key }));
    }
    await client.send(new s3.DeleteBucketCommand({ Bucket }));
  } catch (err) {
    log(`clean-up: bucket ${isolation.NETSENTRY_S3_BUCKET}: ${String(err)}`);
  } finally {
    client.destroy();
  }
  const { Kafka, logLevel } = await import('kafkajs');
  const admin = new Kafka({
    brokers: (env.NETSENTRY_KAFKA_BROKERS ?? '').split(','),
    logLevel: logLevel.NOTHING,
  }).admin();
  try {
    await admin.connect();
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(isolation.NETSENTRY_TOPIC_PREFIX));
    if (topics.length > 0) await admin.deleteTopics({ topics });
  } catch (err) {
    log(`clean-up: topics ${isolation.NETSENTRY_TOPIC_PREFIX}*: ${String(err)}`);
  } finally {
    await admin.disconnect();
  }
}

void main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
