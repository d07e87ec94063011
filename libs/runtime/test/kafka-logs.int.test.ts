import { CapturingStream, createLogger, duplicateKeys } from '@netsentry/observability';
import { localInfra, uniqueName } from '@netsentry/testkit';
import { describe, expect, it } from 'vitest';
import { createKafka, producerConfig } from '../src/kafka-factory';
import { provisionTopics } from '../src/provisioning';
import { TOPIC_CATALOGUE } from '@netsentry/contracts';

// kafkajs against the real broker, logging through our logger: what it reports while a topic is created
// twice (two replicas starting) and used at once (its partitions' leaders still being elected).

function capture(): { stream: CapturingStream; kafka: ReturnType<typeof createKafka> } {
  const stream = new CapturingStream();
  const logger = createLogger({
    service: 'kafka-logs-test',
    version: 'test',
    level: 'debug',
    destination: stream,
  });
  const kafka = createKafka(
    { brokers: localInfra().kafkaBrokers, clientId: 'kafka-logs-test', topicPrefix: '', ssl: false },
    logger,
  );
  return { stream, kafka };
}

describe('kafkajs logs on a normal start', () => {
  it('reports a topic another process created first at debug, not as an error', async () => {
    const { stream, kafka } = capture();
    const admin = kafka.admin();
    await admin.connect();
    try {
      const topic = uniqueName('kafka-logs');
      const spec = { topic, numPartitions: 3 };
      expect(await admin.createTopics({ topics: [spec], waitForLeaders: true })).toBe(true);
      // The second replica's create, after its listTopics missed the first one's: TOPIC_ALREADY_EXISTS.
      expect(await admin.createTopics({ topics: [spec], waitForLeaders: false })).toBe(false);
    } finally {
      await admin.disconnect();
    }
    const records = stream.records;
    const exists = records.filter((r) => JSON.stringify(r).includes('Topic creation errors'));
    expect(exists.length).toBeGreaterThan(0);
    for (const r of exists)
      expect(r).toMatchObject({ level: 'debug', component: 'kafkajs', namespace: 'Connection' });
    expect(records.filter((r) => r.level === 'error')).toEqual([]);
    expect(stream.lines.filter((l) => duplicateKeys(l).length > 0)).toEqual([]);
  });

  it('provisions, then produces to the new topics at once, with no error or warning line', async () => {
    const { stream, kafka } = capture();
    const prefix = uniqueName('kafka-logs');
    const admin = kafka.admin();
    await admin.connect();
    const specs = [TOPIC_CATALOGUE['data.ingested'], TOPIC_CATALOGUE['model.trained']];
    try {
      // Two replicas provisioning the same topics at the same moment.
      await Promise.all([provisionTopics(admin, prefix, specs), provisionTopics(admin, prefix, specs)]);
    } finally {
      await admin.disconnect();
    }
    const producer = kafka.producer(producerConfig({ idempotent: true }));
    await producer.connect();
    try {
      await producer.send({
        topic: `${prefix}.data.ingested`,
        acks: -1,
        messages: Array.from({ length: 12 }, (_, i) => ({ key: `k${i}`, value: 'x' })),
      });
    } finally {
      await producer.disconnect();
    }
    const records = stream.records;
    expect(records.filter((r) => r.level === 'error' || r.level === 'warn')).toEqual([]);
    expect(stream.lines.filter((l) => duplicateKeys(l).length > 0)).toEqual([]);
  });
});
