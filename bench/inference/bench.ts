// Inference benchmark through the local Kafka, one run, side by side:
//   raw-plain   kafkajs consume → produce of the same bytes, no decoding, no scoring, no transactions
//   raw-eos     the runtime's BatchConsumer passing the bytes through: per-partition transactions, no scoring
//   avro-dense, avro-map, json  the inference service (`node services/inference/dist/main.js`), with
//               traffic.records v2 dense (what `netsentry replay` writes), v1 map, or JSON records
//   rdkafka-raw-eos  the raw exactly-once path through librdkafka (optional: bench/inference/rdkafka-install.sh)
//   inference-rdkafka  the inference service with NETSENTRY_KAFKA_CLIENT=rdkafka (decision 0096), dense
//               records (with BENCH_RDKAFKA=1, as rdkafka-raw-eos); the other inference sides run on kafkajs
//   python      bench/inference/py_consumer.py: confluent-kafka + native xgboost, batched, at-least-once
// Throughput: N records produced first, then the consumer started; records / (time from ready to every
// offset committed). Latency: records sent at a fixed rate to a running inference service, each measured
// from its send to its prediction arriving at a read_committed reader (end to end as a user sees it).
// Prints one JSON line per measurement. Run through bench/inference/run.sh (it builds and sets the env).
import { ContractRegistry, topicName } from '@netsentry/contracts';
import {
  BatchConsumer,
  loadRdkafka,
  openStores,
  provisionTopics,
  type RdkafkaCallback,
  type RdkafkaKafkaConsumer,
  type RdkafkaModule,
} from '@netsentry/runtime';
import { freePort, isolatedStageEnv, newKafka, repoRoot, uniqueName } from '@netsentry/testkit';
import type { Admin, Consumer, Kafka, Message } from 'kafkajs';
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync } from 'node:fs';
import { join } from 'node:path';
import {
  loadFixture,
  makeProduction,
  type DatasetFixture,
} from '../../services/inference/test/support/production-model';
import { recordMessage, rowFeatures, type WireFormat } from '../../services/inference/test/support/traffic';

const N = Number(process.env.BENCH_RECORDS ?? 100_000);
const RATES = (process.env.BENCH_RATES ?? '1000,5000').split(',').map(Number);
const RATE_SECONDS = Number(process.env.BENCH_RATE_SECONDS ?? 15);
const ONLY = process.env.BENCH_ONLY?.split(',');
const INFERENCE_ROUNDS = Number(process.env.BENCH_INFERENCE_ROUNDS ?? 2);
/**
 * The latency rows' sides: the service on kafkajs, on rdkafka (with BENCH_RDKAFKA), and the Python
 * consumer at-least-once and exactly-once (the references), e.g. `rdkafka,python-eos`.
 */
const LATENCY_SIDES = (process.env.BENCH_LATENCY_SIDES ?? 'kafkajs,rdkafka,python,python-eos').split(',');
const contracts = ContractRegistry.bundled();
const kafka: Kafka = newKafka('inference-bench');

const DATASETS = [
  { name: 'phishing', schema: 'phishing.yaml', data: 'phishing.csv', pyKind: 'phishing' },
  { name: 'nsl-kdd', schema: 'nsl-kdd.yaml', data: 'nsl-kdd/KDDTrain+.csv.gz', pyKind: 'nsl-kdd' },
] as const;

/** The batch path's client of the service sides (NETSENTRY_KAFKA_CLIENT). */
type Client = 'kafkajs' | 'rdkafka';
const RDKAFKA = (process.env.BENCH_RDKAFKA_DIR ?? '') !== '';

const SIDE_OF: Record<WireFormat, string> = {
  'avro-dense': 'inference-avro-dense',
  avro: 'inference-avro-map',
  json: 'inference-json',
  'json-flat': 'inference-json-flat',
};

function emit(result: Record<string, unknown>): void {
  console.log(JSON.stringify(result));
}

async function provision(prefix: string): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await provisionTopics(admin, prefix);
  } finally {
    await admin.disconnect();
  }
}

function messages(fixture: DatasetFixture, count: number, format: WireFormat, label: string): Message[] {
  const rows = fixture.data.features.rows;
  const features = Array.from({ length: Math.min(rows, count) }, (_, i) =>
    rowFeatures(fixture.data.features, i),
  );
  return Array.from({ length: count }, (_, i) =>
    recordMessage(`${label}-${i}`, features[i % features.length]!, format),
  );
}

async function produceAll(topic: string, batch: readonly Message[]): Promise<void> {
  const producer = kafka.producer();
  await producer.connect();
  try {
    for (let i = 0; i < batch.length; i += 2_000) {
      await producer.send({ topic, acks: -1, messages: batch.slice(i, i + 2_000) });
    }
  } finally {
    await producer.disconnect();
  }
}

/** Resolves when the group has committed `count` offsets on `topic` (a fresh topic: offsets from 0). */
async function committed(
  admin: Admin,
  groupId: string,
  topic: string,
  count: number,
  timeoutMs = 600_000,
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const [entry] = await admin.fetchOffsets({ groupId, topics: [topic] });
    const done = (entry?.partitions ?? []).reduce((s, p) => s + Math.max(0, Number(p.offset)), 0);
    if (done >= count) return Date.now();
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${groupId} did not commit ${count} offsets on ${topic} in time`);
}

async function withAdmin<T>(work: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.disconnect();
  }
}

function startInference(env: Record<string, string>, port: number): ChildProcess {
  // BENCH_NODE_FLAGS, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`, profiles the service alone.
  const flags = process.env.BENCH_NODE_FLAGS?.split(' ').filter((f) => f !== '') ?? [];
  return spawn(process.execPath, [...flags, join(repoRoot, 'services/inference/dist/main.js')], {
    env: {
      ...process.env,
      ...env,
      NETSENTRY_HTTP_PORT: String(port),
      NETSENTRY_HTTP_HOST: '127.0.0.1',
      NETSENTRY_LOG_LEVEL: 'warn',
    },
    // BENCH_SERVICE_STDOUT=<file> keeps the service's stdout (e.g. with BENCH_NODE_FLAGS=--trace-gc).
    stdio: [
      'ignore',
      process.env.BENCH_SERVICE_STDOUT ? openSync(process.env.BENCH_SERVICE_STDOUT, 'a') : 'ignore',
      'inherit',
    ],
  });
}

/** From the service's /metrics: handler batches and their mean size, and the seconds spent scoring. */
async function serviceFigures(port: number): Promise<Record<string, number>> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const sum = (name: string): number =>
    text
      .split('\n')
      .filter((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`))
      .reduce((n, l) => n + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
  const batches = sum('netsentry_inference_batch_size_count');
  return {
    batches,
    meanBatch: Math.round(sum('netsentry_inference_batch_size_sum') / Math.max(1, batches)),
    scoringSeconds: Number(sum('netsentry_inference_scoring_latency_seconds_sum').toFixed(2)),
  };
}

async function ready(port: number, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`inference exited with ${child.exitCode}`);
    try {
      if ((await fetch(`http://127.0.0.1:${port}/readyz`)).status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('inference not ready in 120 s');
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

function wanted(what: string): boolean {
  return ONLY === undefined || ONLY.includes(what);
}

/** A service side: `inference` selects them all, or one by its side name (`inference-rdkafka`). */
function sideWanted(side: string): boolean {
  return wanted('inference') || wanted(side);
}

function serviceSide(format: WireFormat, client: Client): string {
  return client === 'rdkafka' ? 'inference-rdkafka' : SIDE_OF[format];
}

async function throughputRawPlain(dataset: string, batch: readonly Message[]): Promise<void> {
  const prefix = `bench.${uniqueName('raw').replace(/[^a-z0-9]/g, '')}`;
  await provision(prefix);
  const input = topicName(prefix, 'traffic.records');
  const output = topicName(prefix, 'traffic.predictions');
  await produceAll(input, batch);
  const groupId = `${prefix}.raw`;
  const consumer = kafka.consumer({ groupId, readUncommitted: false });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  await consumer.connect();
  await consumer.subscribe({ topic: input, fromBeginning: true });
  let started = 0;
  consumer.on(consumer.events.GROUP_JOIN, () => (started ||= Date.now()));
  await consumer.run({
    autoCommit: false,
    eachBatchAutoResolve: false,
    partitionsConsumedConcurrently: 4,
    eachBatch: async (payload) => {
      const b = payload.batch;
      if (b.messages.length === 0) return;
      await producer.send({
        topic: output,
        acks: -1,
        messages: b.messages.map((m) => ({ key: m.key, value: m.value })),
      });
      const last = b.messages[b.messages.length - 1]!.offset;
      await consumer.commitOffsets([
        { topic: b.topic, partition: b.partition, offset: (BigInt(last) + 1n).toString() },
      ]);
      payload.resolveOffset(last);
      await payload.heartbeat();
    },
  });
  const done = await withAdmin((admin) => committed(admin, groupId, input, batch.length));
  await consumer.disconnect();
  await producer.disconnect();
  emit({
    dataset,
    side: 'raw-plain',
    records: batch.length,
    seconds: (done - started) / 1000,
    perSecond: batch.length / ((done - started) / 1000),
  });
}

async function throughputRawEos(dataset: string, batch: readonly Message[]): Promise<void> {
  const prefix = `bench.${uniqueName('eos').replace(/[^a-z0-9]/g, '')}`;
  await provision(prefix);
  const input = topicName(prefix, 'traffic.records');
  await produceAll(input, batch);
  const groupId = `${prefix}.raw-eos`;
  const consumer = new BatchConsumer({
    kafka,
    stage: 'bench',
    groupId,
    topic: 'traffic.records',
    topicPrefix: prefix,
    handler: (b) => ({
      outputs: b.records.map((r) => ({
        topic: 'traffic.predictions' as const,
        key: r.message.key,
        value: r.message.value!,
      })),
    }),
    batch: { decode: (m) => m, maxRecords: 2_000, partitionsConcurrently: 4 },
    producer: { service: 'bench', version: '1' },
    deadLetterTopic: 'traffic.dlq',
  });
  await consumer.start();
  while (!consumer.ready) await new Promise((r) => setTimeout(r, 20));
  const started = Date.now();
  const done = await withAdmin((admin) => committed(admin, groupId, input, batch.length));
  await consumer.close();
  emit({
    dataset,
    side: 'raw-eos',
    records: batch.length,
    seconds: (done - started) / 1000,
    perSecond: batch.length / ((done - started) / 1000),
  });
}

async function throughputInference(
  dataset: string,
  env: Record<string, string>,
  format: WireFormat,
  batch: readonly Message[],
  round = 1,
  client: Client = 'kafkajs',
): Promise<void> {
  const prefix = `bench.${uniqueName(format).replace(/[^a-z0-9]/g, '')}`;
  await provision(prefix);
  const input = topicName(prefix, 'traffic.records');
  await produceAll(input, batch);
  const port = await freePort();
  const child = startInference(
    { ...env, NETSENTRY_TOPIC_PREFIX: prefix, NETSENTRY_KAFKA_CLIENT: client },
    port,
  );
  try {
    await ready(port, child);
    const started = Date.now();
    const done = await withAdmin((admin) => committed(admin, `${prefix}.inference`, input, batch.length));
    emit({
      dataset,
      side: serviceSide(format, client),
      round,
      records: batch.length,
      seconds: (done - started) / 1000,
      perSecond: batch.length / ((done - started) / 1000),
      service: await serviceFigures(port),
    });
  } finally {
    await stop(child);
  }
}

/**
 * A side run as its own process (`command args… <brokers> <input> <output> <group>`) that prints READY
 * once subscribed: N records produced first, then the time until its group has committed them all.
 */
async function throughputChild(
  dataset: string,
  side: string,
  batch: readonly Message[],
  command: string,
  args: (brokers: string, input: string, output: string, groupId: string) => string[],
): Promise<void> {
  const prefix = `bench.${uniqueName(side).replace(/[^a-z0-9]/g, '')}`;
  await provision(prefix);
  const input = topicName(prefix, 'traffic.records');
  await produceAll(input, batch);
  const groupId = `${prefix}.${side}`;
  const brokers = process.env.NETSENTRY_KAFKA_BROKERS ?? '127.0.0.1:9092';
  const child = spawn(command, args(brokers, input, topicName(prefix, 'traffic.predictions'), groupId), {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        if (d.toString().includes('READY')) resolve();
      });
      child.once('exit', (code) => reject(new Error(`${side} side exited with ${code}`)));
    });
    const started = Date.now();
    const done = await withAdmin((admin) => committed(admin, groupId, input, batch.length));
    emit({
      dataset,
      side,
      records: batch.length,
      seconds: (done - started) / 1000,
      perSecond: batch.length / ((done - started) / 1000),
    });
  } finally {
    child.kill('SIGKILL');
  }
}

/** `python`: bench/inference/py_consumer.py, confluent-kafka + native xgboost, at-least-once. */
function throughputPython(dataset: (typeof DATASETS)[number], batch: readonly Message[]): Promise<void> {
  return throughputChild(
    dataset.name,
    'python',
    batch,
    '/usr/bin/python3',
    (brokers, input, output, group) => [
      join(__dirname, 'py_consumer.py'),
      dataset.pyKind,
      join(repoRoot, 'data', dataset.data),
      brokers,
      input,
      output,
      group,
    ],
  );
}

/**
 * `rdkafka-raw-eos`: bench/inference/rdkafka-eos.cjs, the raw exactly-once path through librdkafka (one
 * transactional producer, KIP-447), when BENCH_RDKAFKA_DIR names an install (bench/inference/rdkafka-install.sh).
 */
async function throughputRdkafka(dataset: string, batch: readonly Message[]): Promise<void> {
  const moduleDir = process.env.BENCH_RDKAFKA_DIR;
  if (moduleDir === undefined || moduleDir === '') {
    emit({ dataset, side: 'rdkafka-raw-eos', skipped: 'BENCH_RDKAFKA_DIR not set (rdkafka-install.sh)' });
    return;
  }
  await throughputChild(
    dataset,
    'rdkafka-raw-eos',
    batch,
    process.execPath,
    (brokers, input, output, group) => [
      join(__dirname, 'rdkafka-eos.cjs'),
      moduleDir,
      brokers,
      input,
      output,
      group,
    ],
  );
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

/** What a latency row runs: the service on one client, or a Python consumer (a reference). */
interface LatencySide {
  side: string;
  /** The records' wire format: dense Avro for the service, JSON for the Python consumers. */
  format: WireFormat;
  /** Starts the side on the prefix's topics; resolves once it consumes, with how to stop it. */
  start(prefix: string): Promise<() => Promise<void>>;
  /** The service's own figures (batches, mean batch) after the run, where it has them. */
  figures?: () => Promise<Record<string, number>>;
  /** A prediction's record id, and the service's own timestamps where it writes them. */
  decode(value: Buffer): { recordId: string; endToEndMs?: number | null; latencyMs?: number };
}

function serviceLatencySide(env: Record<string, string>, client: Client): LatencySide {
  let port = 0;
  return {
    figures: () => serviceFigures(port),
    side: serviceSide('avro-dense', client),
    format: 'avro-dense',
    async start(prefix) {
      port = await freePort();
      const child = startInference(
        { ...env, NETSENTRY_TOPIC_PREFIX: prefix, NETSENTRY_KAFKA_CLIENT: client },
        port,
      );
      try {
        await ready(port, child);
      } catch (error) {
        await stop(child);
        throw error;
      }
      return () => stop(child);
    },
    decode: (value) => contracts.decode('traffic.predictions', value),
  };
}

/**
 * `python` (at-least-once) and `python-eos` (one transaction per batch): py_consumer.py at the same rates,
 * read by the same read_committed reader: what a consumer a user might write gives, and what exactly-once
 * costs on this machine without netsentry in the path.
 */
function pythonLatencySide(dataset: (typeof DATASETS)[number], exactlyOnce: boolean): LatencySide {
  const side = exactlyOnce ? 'python-eos' : 'python';
  return {
    side,
    format: 'json',
    async start(prefix) {
      const brokers = process.env.NETSENTRY_KAFKA_BROKERS ?? '127.0.0.1:9092';
      const child = spawn(
        '/usr/bin/python3',
        [
          join(__dirname, 'py_consumer.py'),
          dataset.pyKind,
          join(repoRoot, 'data', dataset.data),
          brokers,
          topicName(prefix, 'traffic.records'),
          topicName(prefix, 'traffic.predictions'),
          `${prefix}.${side}`,
          ...(exactlyOnce ? ['exactly-once'] : []),
        ],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      );
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (d: Buffer) => {
          if (d.toString().includes('READY')) resolve();
        });
        child.once('exit', (code) => reject(new Error(`${side} side exited with ${code}`)));
      });
      return () => {
        child.kill('SIGKILL');
        return Promise.resolve();
      };
    },
    decode: (value) => JSON.parse(value.toString()) as { recordId: string },
  };
}

/** Who sends the latency rows' records and reads their predictions (read_committed): the load generator. */
interface LatencyDriver {
  readonly name: string;
  /** Subscribes to `topic` from the beginning; `onBatch` gets each fetched batch with the time it arrived. */
  read(
    topic: string,
    group: string,
    onBatch: (values: { value: Buffer; timestamp: number }[], now: number) => void,
  ): Promise<void>;
  send(topic: string, messages: readonly Message[]): Promise<void>;
  close(): Promise<void>;
}

/** kafkajs: an idempotent producer awaiting acks=all per send, and a consumer polling with 5 ms waits. */
function kafkajsDriver(): LatencyDriver {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  let reader: Consumer | undefined;
  let connected = false;
  return {
    name: 'kafkajs',
    async read(topic, group, onBatch) {
      reader = kafka.consumer({ groupId: group, readUncommitted: false, maxWaitTimeInMs: 5 });
      await reader.connect();
      await reader.subscribe({ topic, fromBeginning: true });
      await reader.run({
        eachBatch: ({ batch }) => {
          onBatch(
            batch.messages.map((m) => ({ value: m.value!, timestamp: Number(m.timestamp) })),
            Date.now(),
          );
          return Promise.resolve();
        },
      });
    },
    async send(topic, messages) {
      if (!connected) {
        await producer.connect();
        connected = true;
      }
      await producer.send({ topic, acks: -1, messages: [...messages] });
    },
    async close() {
      await reader?.disconnect().catch(() => undefined);
      await producer.disconnect().catch(() => undefined);
    },
  };
}

function rdkafkaCall<T>(fn: (cb: RdkafkaCallback<T>) => void): Promise<T> {
  return new Promise((resolve, reject) => fn((error, value) => (error ? reject(error) : resolve(value))));
}

/**
 * librdkafka (BENCH_RDKAFKA_DIR): an idempotent producer that does not wait per send, and a read_committed
 * consumer with 5 ms fetch waits. A fraction of kafkajs's CPU, which the measured side and the broker share.
 */
function rdkafkaDriver(module: RdkafkaModule): LatencyDriver {
  const brokers = process.env.NETSENTRY_KAFKA_BROKERS ?? '127.0.0.1:9092';
  const producer = new module.Producer({
    'bootstrap.servers': brokers,
    'enable.idempotence': true,
    'linger.ms': 1,
  });
  let connected: Promise<unknown> | undefined;
  let reader: RdkafkaKafkaConsumer | undefined;
  let reading = false;
  return {
    name: 'rdkafka',
    async read(topic, group, onBatch) {
      const consumer = new module.KafkaConsumer(
        {
          'bootstrap.servers': brokers,
          'group.id': group,
          'isolation.level': 'read_committed',
          'enable.auto.commit': false,
          'fetch.wait.max.ms': 5,
        },
        { 'auto.offset.reset': 'earliest' },
      );
      reader = consumer;
      await rdkafkaCall((cb) => consumer.connect({}, cb));
      consumer.subscribe([topic]);
      consumer.setDefaultConsumeTimeout(20);
      consumer.setDefaultIsTimeoutOnlyForFirstMessage(true);
      reading = true;
      const loop = (): void => {
        if (!reading) return;
        consumer.consume(10_000, (error, messages) => {
          if (!error && messages.length > 0)
            onBatch(
              messages.map((m) => ({ value: m.value!, timestamp: m.timestamp ?? 0 })),
              Date.now(),
            );
          setImmediate(loop);
        });
      };
      loop();
    },
    async send(topic, messages) {
      await (connected ??= rdkafkaCall((cb) => producer.connect({}, cb)));
      for (const m of messages)
        producer.produce(topic, null, m.value as Buffer, (m.key as string | Buffer | null) ?? null);
    },
    async close() {
      reading = false;
      await new Promise((r) => setTimeout(r, 50));
      if (reader) await rdkafkaCall((cb) => reader!.disconnect(cb)).catch(() => undefined);
      if (connected) await rdkafkaCall((cb) => producer.disconnect(5_000, cb)).catch(() => undefined);
    },
  };
}

function latencyDriver(): LatencyDriver {
  const wantedDriver = process.env.BENCH_LATENCY_DRIVER ?? (RDKAFKA ? 'rdkafka' : 'kafkajs');
  if (wantedDriver === 'kafkajs') return kafkajsDriver();
  const load = loadRdkafka();
  if (load.module === null) throw new Error(`BENCH_LATENCY_DRIVER=rdkafka: ${load.reason}`);
  return rdkafkaDriver(load.module);
}

async function latency(
  dataset: string,
  fixture: DatasetFixture,
  rate: number,
  runner: LatencySide,
): Promise<void> {
  const prefix = `bench.${uniqueName(`lat${rate}`).replace(/[^a-z0-9]/g, '')}`;
  await provision(prefix);
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  /** The latencies of records sent after the first 2 s at the rate: the steady state, past the ramp-up. */
  const steady: number[] = [];
  const slowBySecond = new Map<number, number>();
  const stages = {
    inbound: [] as number[],
    handler: [] as number[],
    queued: [] as number[],
    delivered: [] as number[],
  };
  let firstSend = 0;
  const driver = latencyDriver();
  let stopSide: (() => Promise<void>) | undefined;
  try {
    stopSide = await runner.start(prefix);
    await driver.read(topicName(prefix, 'traffic.predictions'), `${prefix}.reader`, (values, now) => {
      for (const m of values) {
        const p = runner.decode(m.value);
        const sent = sentAt.get(p.recordId);
        if (sent !== undefined) {
          latencies.push(now - sent);
          if (p.latencyMs !== undefined) {
            // Where a record's time goes: the service's timestamps in its prediction, the prediction's own.
            const scoredAt = sent + (p.endToEndMs ?? 0);
            const producedAt = m.timestamp;
            stages.inbound.push(scoredAt - p.latencyMs - sent);
            stages.handler.push(p.latencyMs);
            stages.queued.push(producedAt - scoredAt);
            stages.delivered.push(now - producedAt);
          }
          if (sent - firstSend >= 2_000) steady.push(now - sent);
          if (now - sent > 100) {
            const second = Math.floor((sent - firstSend) / 1000);
            slowBySecond.set(second, (slowBySecond.get(second) ?? 0) + 1);
          }
        }
      }
    });
    // Warm up the producer (metadata, connections to every partition's leader) and the whole path, so the
    // figures are of the side, not of this driver's first sends; warm-up records are not counted.
    await driver.send(
      topicName(prefix, 'traffic.records'),
      Array.from({ length: 240 }, (_, i) =>
        recordMessage(`warm-${i}`, rowFeatures(fixture.data.features, i), runner.format),
      ),
    );
    await new Promise((r) => setTimeout(r, 3_000)); // the reader joins its group; the warm-up drains
    const total = rate * RATE_SECONDS;
    const rows = fixture.data.features.rows;
    const pool = Array.from({ length: Math.min(rows, 20_000) }, (_, i) =>
      rowFeatures(fixture.data.features, i),
    );
    // Encoded before the clock starts: the driver's own CPU is taken from the two cores the side shares.
    const records = Array.from({ length: total }, (_, i) =>
      recordMessage(`lat-${i}`, pool[i % pool.length]!, runner.format),
    );
    const start = Date.now();
    firstSend = start;
    let sent = 0;
    while (sent < total) {
      // Every 10 ms, whatever the rate says is due by now.
      const due = Math.min(total, Math.floor(((Date.now() - start) * rate) / 1000));
      const chunk = records.slice(sent, due);
      const now = Date.now();
      for (; sent < due; sent++) sentAt.set(`lat-${sent}`, now);
      if (chunk.length > 0) await driver.send(topicName(prefix, 'traffic.records'), chunk);
      await new Promise((r) => setTimeout(r, 10));
    }
    const achieved = total / ((Date.now() - start) / 1000);
    const deadline = Date.now() + 60_000;
    while (latencies.length < total && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const sorted = [...latencies].sort((a, b) => a - b);
    const s = [...steady].sort((a, b) => a - b);
    const figures = (await runner.figures?.()) ?? {};
    emit({
      dataset,
      side: runner.side,
      driver: driver.name,
      rate,
      achievedRate: Math.round(achieved),
      records: total,
      received: latencies.length,
      p50Ms: percentile(sorted, 0.5),
      p99Ms: percentile(sorted, 0.99),
      maxMs: sorted[sorted.length - 1],
      steadyP50Ms: percentile(s, 0.5),
      steadyP99Ms: percentile(s, 0.99),
      ...(runner.figures ? { service: figures } : {}),
      // Per record, from its send: to the service's handler (inbound: produce, broker, fetch, the wait for
      // its chunk), the handler (decode, checks, scoring), the wait for its transaction (queued), and from
      // the prediction's produce to the reader (delivered: the transaction's commit and the reader's fetch).
      ...(stages.handler.length > 0
        ? {
            stagesMs: Object.fromEntries(
              Object.entries(stages).map(([k, v]) => {
                const sv = [...v].sort((a, b) => a - b);
                return [k, { p50: percentile(sv, 0.5), p99: percentile(sv, 0.99) }];
              }),
            ),
          }
        : {}),
      // Records slower than 100 ms, by the second of the run they were sent in (from firstSendAt): where the
      // tail comes from, to set beside the broker's GC log (deploy/local's logs/kafka-gc.log).
      firstSendAt: new Date(firstSend).toISOString(),
      over100MsBySecond: Object.fromEntries([...slowBySecond].sort((a, b) => a[0] - b[0])),
    });
  } finally {
    await driver.close();
    await stopSide?.();
  }
}

async function main(): Promise<void> {
  for (const dataset of DATASETS) {
    if (!wanted(dataset.name)) continue;
    const env = { ...isolatedStageEnv(`bench-${dataset.name}`), NETSENTRY_INFERENCE_DATASET: dataset.name };
    const stores = await openStores(env);
    const fixture = await loadFixture(dataset.schema, dataset.data);
    const production = await makeProduction(stores, fixture, { rounds: 100, seed: 42 });
    await stores.close();
    emit({
      dataset: dataset.name,
      model: production.version,
      features: fixture.schema.features.length,
      rounds: 100,
    });
    const dense = messages(fixture, N, 'avro-dense', 'd');
    const json = messages(fixture, N, 'json', 'j');
    if (wanted('raw')) {
      // The ceilings on the default wire format's bytes (dense Avro: the smallest).
      await throughputRawPlain(dataset.name, dense);
      await throughputRawEos(dataset.name, dense);
      await throughputRdkafka(dataset.name, dense);
    }
    // Each round in the reverse order of the one before (dense, map, JSON; then JSON, map, dense): a
    // side run first on a dataset's fresh topics was measured slower, whatever it was.
    let map: Message[] | undefined;
    const sides: [WireFormat, () => readonly Message[], Client][] = [
      ['avro-dense', () => dense, 'kafkajs'],
      ['avro', () => (map ??= messages(fixture, N, 'avro', 'a')), 'kafkajs'],
      ['json', () => json, 'kafkajs'],
      ...(RDKAFKA ? [['avro-dense', () => dense, 'rdkafka'] as [WireFormat, () => Message[], Client]] : []),
    ];
    const chosen = sides.filter(([format, , client]) => sideWanted(serviceSide(format, client)));
    for (let round = 0; round < INFERENCE_ROUNDS && chosen.length > 0; round++) {
      for (const [format, batch, client] of round % 2 === 0 ? chosen : [...chosen].reverse()) {
        await throughputInference(dataset.name, env, format, batch(), round + 1, client);
      }
    }
    if (wanted('python')) await throughputPython(dataset, json);
    if (wanted('latency')) {
      const runners = [
        ...(LATENCY_SIDES.includes('kafkajs') ? [serviceLatencySide(env, 'kafkajs')] : []),
        ...(RDKAFKA && LATENCY_SIDES.includes('rdkafka') ? [serviceLatencySide(env, 'rdkafka')] : []),
        ...(LATENCY_SIDES.includes('python') ? [pythonLatencySide(dataset, false)] : []),
        ...(LATENCY_SIDES.includes('python-eos') ? [pythonLatencySide(dataset, true)] : []),
      ];
      for (const rate of RATES)
        for (const runner of runners) await latency(dataset.name, fixture, rate, runner);
    }
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
