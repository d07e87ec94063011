import { topicName } from '@netsentry/contracts';
import { localInfra, newKafka, readTopic, uniqueName } from '@netsentry/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import type { StageBatch } from '../src/batch-handler';
import { provisionTopics } from '../src/provisioning';
import { loadRdkafka } from '../src/rdkafka';
import { RdkafkaBatchConsumer } from '../src/rdkafka-batch-consumer';

// The librdkafka batch path against the real broker: a replica that stopped polling (stuck in its
// handler past max.poll.interval.ms) loses its partitions to another replica; its late commit of the
// chunk it was handling must not reach a read_committed reader, and the new owner scores every record.
// Runs when @confluentinc/kafka-javascript loads (scripts/install-rdkafka.sh); NETSENTRY_KAFKA_CLIENT=rdkafka
// makes a missing install a failure instead of a skip.
const rdkafka = loadRdkafka();
const required = process.env.NETSENTRY_KAFKA_CLIENT === 'rdkafka';
const kafka = newKafka('runtime-rdkafka-test');
const consumers: RdkafkaBatchConsumer[] = [];

afterAll(async () => {
  for (const c of consumers) await c.close(5_000);
});

function passThrough(batch: StageBatch) {
  return {
    outputs: batch.records.map((r) => ({
      topic: 'traffic.predictions' as const,
      key: r.message.key,
      value: r.message.value!,
    })),
  };
}

describe.skipIf(rdkafka.module === null && !required)('the librdkafka batch path', () => {
  it('never lets a zombie commit: a replica stuck past max.poll.interval loses the chunk it held, the new owner scores it once', async () => {
    expect(rdkafka.module === null ? rdkafka.reason : 'loaded').toBe('loaded');
    const prefix = `it.${uniqueName('rdk').replace(/[^a-z0-9]/g, '')}`;
    const admin = kafka.admin();
    await admin.connect();
    await provisionTopics(admin, prefix);
    await admin.disconnect();
    const input = topicName(prefix, 'traffic.records');
    const n = 240;
    // Idempotent: kafkajs retries a whole send when one partition's leader is still settling after the
    // topic's creation, which would write the other partitions' records twice.
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    await producer.send({
      topic: input,
      acks: -1,
      messages: Array.from({ length: n }, (_, i) => ({ key: `r-${i}`, value: Buffer.from(`v-${i}`) })),
    });
    await producer.disconnect();

    const settings = {
      brokers: localInfra().kafkaBrokers,
      clientId: 'rdk-it',
      topicPrefix: prefix,
      ssl: false,
    };
    const common = {
      rdkafka: rdkafka.module!,
      kafka: settings,
      stage: 'bench',
      groupId: `${prefix}.scorer`,
      topic: 'traffic.records' as const,
      topicPrefix: prefix,
      producer: { service: 'rdk-it', version: '1' },
      deadLetterTopic: 'traffic.dlq' as const,
    };
    let held = 0;
    let release!: () => void;
    const stuck = new Promise<void>((r) => (release = r));
    const zombie = new RdkafkaBatchConsumer({
      ...common,
      instanceId: 'zombie',
      // A short poll interval: stuck in its handler, its loop stops polling and librdkafka leaves the
      // group after 6 s.
      batch: { decode: (m) => m, maxRecords: 500 },
      consumer: { sessionTimeout: 6_000, heartbeatInterval: 1_000, rebalanceTimeout: 6_000 },
      handler: async (batch) => {
        if (held === 0) {
          held = batch.records.length;
          await stuck;
        }
        return passThrough(batch);
      },
    });
    consumers.push(zombie);
    await zombie.start();
    const deadline = Date.now() + 30_000;
    while (held === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(held).toBeGreaterThan(0);

    let scoredByOwner = 0;
    const owner = new RdkafkaBatchConsumer({
      ...common,
      instanceId: 'owner',
      batch: { decode: (m) => m, maxRecords: 500 },
      handler: (batch) => {
        scoredByOwner += batch.records.length;
        return passThrough(batch);
      },
    });
    consumers.push(owner);
    await owner.start();
    // The owner takes every partition once the zombie has left, and scores all records, the held ones too.
    const rows = await readTopic(kafka, topicName(prefix, 'traffic.predictions'), {
      atLeast: n,
      settleMs: 1_000,
      timeoutMs: 60_000,
    });
    expect(rows).toHaveLength(n);
    expect(scoredByOwner).toBeGreaterThanOrEqual(held);
    // Now the zombie wakes up and tries to commit what it held.
    release();
    await new Promise((r) => setTimeout(r, 5_000));
    const after = await readTopic(kafka, topicName(prefix, 'traffic.predictions'), {
      atLeast: n,
      settleMs: 2_000,
    });
    const counts = new Map<string, number>();
    for (const m of after) counts.set(m.key!.toString(), (counts.get(m.key!.toString()) ?? 0) + 1);
    expect(counts.size).toBe(n);
    expect([...counts].filter(([, c]) => c > 1)).toEqual([]);
  }, 120_000);
});
