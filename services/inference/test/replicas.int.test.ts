import { loadRdkafka, openStores, type Stores } from '@netsentry/runtime';
import { freePort, isolatedStageEnv, newKafka, repoRoot } from '@netsentry/testkit';
import type { Message, Producer } from 'kafkajs';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { topicName } from '@netsentry/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFixture, makeProduction, type DatasetFixture } from './support/production-model';
import { countById, readPredictions, recordMessage, rowFeatures } from './support/traffic';

// Inference as a user runs it: `node services/inference/dist/main.js` processes (built by `npm run build`),
// killed with SIGKILL mid-stream and restarted, and two replicas in one consumer group, one stopped
// mid-stream. Every record must end with exactly one committed prediction. The batch path runs on the
// client NETSENTRY_KAFKA_CLIENT names (CI runs the suite with each of them).
const kafkaClient = process.env.NETSENTRY_KAFKA_CLIENT ?? 'auto';
const expectedClient =
  kafkaClient === 'auto' ? (loadRdkafka().module !== null ? 'rdkafka' : 'kafkajs') : kafkaClient;
const env: Record<string, string> = {
  ...isolatedStageEnv('inference-replicas'),
  NETSENTRY_KAFKA_CLIENT: kafkaClient,
  NETSENTRY_INFERENCE_DATASET: 'phishing',
  NETSENTRY_INFERENCE_DRIFT: 'false',
};
const prefix = env.NETSENTRY_TOPIC_PREFIX!;
const kafka = newKafka('inference-replicas-it');
const MAIN = join(repoRoot, 'services/inference/dist/main.js');

let stores: Stores;
let producer: Producer;
let phishing: DatasetFixture;
const replicas = new Map<string, { child: ChildProcess; port: number }>();
let sent = 0;

async function startReplica(name: string): Promise<void> {
  const port = replicas.get(name)?.port ?? (await freePort());
  const child = spawn(process.execPath, [MAIN], {
    env: {
      ...process.env,
      ...env,
      NETSENTRY_INSTANCE_ID: name,
      NETSENTRY_HTTP_PORT: String(port),
      NETSENTRY_HTTP_HOST: '127.0.0.1',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  replicas.set(name, { child, port });
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`replica ${name} exited with ${child.exitCode}`);
    try {
      if ((await fetch(`http://127.0.0.1:${port}/readyz`)).status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`replica ${name} not ready in 60 s`);
}

async function stopReplica(name: string, signal: NodeJS.Signals): Promise<void> {
  const replica = replicas.get(name);
  if (replica === undefined || replica.child.exitCode !== null) return;
  const exited = new Promise((r) => replica.child.once('exit', r));
  replica.child.kill(signal);
  await exited;
}

/** Sends `count` records at a steady pace (about 5,000/s) and calls `during` once, a little into it. */
async function stream(label: string, count: number, during: () => Promise<void>): Promise<void> {
  const messages: Message[] = Array.from({ length: count }, (_, i) =>
    recordMessage(
      `${label}-${i}`,
      rowFeatures(phishing.data.features, i % phishing.data.features.rows),
      'avro',
    ),
  );
  let action: Promise<void> | null = null;
  for (let i = 0; i < count; i += 250) {
    await producer.send({
      topic: topicName(prefix, 'traffic.records'),
      acks: -1,
      messages: messages.slice(i, i + 250),
    });
    if (action === null && i >= count / 4) action = during();
    await new Promise((r) => setTimeout(r, 50));
  }
  await action;
  sent += count;
}

function expectExactlyOnce(rows: readonly { recordId: string }[], label: string, count: number): void {
  const counts = countById(rows.filter((r) => r.recordId.startsWith(`${label}-`)));
  expect(counts.size).toBe(count);
  const duplicated = [...counts].filter(([, n]) => n > 1);
  expect(duplicated).toEqual([]);
}

beforeAll(async () => {
  stores = await openStores(env);
  phishing = await loadFixture('phishing.yaml', 'phishing.csv');
  await makeProduction(stores, phishing, { rounds: 10, seed: 3 });
  producer = kafka.producer();
  await producer.connect();
  await startReplica('replica-0');
}, 180_000);

afterAll(async () => {
  for (const name of replicas.keys()) await stopReplica(name, 'SIGKILL');
  await producer?.disconnect();
  await stores?.close();
});

describe('inference replicas as processes', () => {
  it(`runs the batch path on the Kafka client asked for (${kafkaClient}: ${expectedClient})`, async () => {
    const text = await (await fetch(`http://127.0.0.1:${replicas.get('replica-0')!.port}/metrics`)).text();
    const info = text.split('\n').filter((l) => l.startsWith('netsentry_batch_consumer_info{'));
    expect(info).toHaveLength(1);
    expect(info[0]).toContain(`client="${expectedClient}"`);
    // And scores on its scoring thread (decision 0107), the default.
    expect(text).toMatch(/^netsentry_inference_scoring_info\{mode="thread"[^}]*\} 1$/m);
  });

  it('loses nothing and duplicates nothing when killed with SIGKILL mid-stream and restarted', async () => {
    await stream('kill', 15_000, async () => {
      await stopReplica('replica-0', 'SIGKILL');
      await startReplica('replica-0');
    });
    expectExactlyOnce(await readPredictions(kafka, prefix, sent, 120_000), 'kill', 15_000);
  }, 240_000);

  it('shares the partitions between two replicas and loses nothing when one stops mid-stream', async () => {
    await startReplica('replica-1');
    let scoredByReplica1 = 0;
    await stream('scale', 15_000, async () => {
      const text = await (await fetch(`http://127.0.0.1:${replicas.get('replica-1')!.port}/metrics`)).text();
      const line = text.split('\n').find((l) => l.startsWith('netsentry_inference_records_total'));
      scoredByReplica1 = Number(line?.slice(line.lastIndexOf(' ') + 1) ?? 0);
      await stopReplica('replica-1', 'SIGTERM');
    });
    // Both replicas took part: replica-1 had partitions of its own before it stopped.
    expect(scoredByReplica1).toBeGreaterThan(0);
    expect(replicas.get('replica-1')!.child.exitCode).toBe(0);
    expectExactlyOnce(await readPredictions(kafka, prefix, sent, 120_000), 'scale', 15_000);
  }, 240_000);
});
