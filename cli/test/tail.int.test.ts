import { ContractRegistry, TOPIC_CATALOGUE, sampleEvent, topicName } from '@netsentry/contracts';
import { provisionTopics } from '@netsentry/runtime';
import { isolatedStageEnv, newKafka, uniqueName } from '@netsentry/testkit';
import type { Message, Producer } from 'kafkajs';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { tail, tailEvents } from '../src/tail';
import type { TailEvent } from '../src/tail-format';

// netsentry tail against a real Kafka: events this test writes, read back as lines and as JSON.

const env = isolatedStageEnv('tail');
const prefix = env.NETSENTRY_TOPIC_PREFIX!;
const predictions = topicName(prefix, 'traffic.predictions');
const contracts = ContractRegistry.bundled();
const kafka = newKafka('tail-it');
let producer: Producer;
const T0 = Date.UTC(2026, 11, 1, 9, 0, 0);

function prediction(n: number): Message {
  const recordId = `replay-1764585600000-${n + 1}`;
  const event = {
    ...sampleEvent('traffic.predictions'),
    recordId,
    source: 'netsentry-replay',
    modelVersion: `m-${n}`,
  };
  return {
    key: recordId,
    value: contracts.encode('traffic.predictions', event),
    timestamp: String(T0 + n * 1_000),
  };
}

async function send(
  topic: string,
  messages: Message[],
  outcome: 'commit' | 'abort' = 'commit',
): Promise<void> {
  const tx = await producer.transaction();
  await tx.send({ topic, messages });
  await (outcome === 'commit' ? tx.commit() : tx.abort());
}

function collect(): { out: PassThrough; lines: () => string[] } {
  const out = new PassThrough();
  let text = '';
  out.on('data', (c: Buffer) => (text += c.toString()));
  return { out, lines: () => text.trimEnd().split('\n').filter(Boolean) };
}

beforeAll(async () => {
  const admin = kafka.admin();
  await admin.connect();
  await provisionTopics(admin, prefix, [
    TOPIC_CATALOGUE['traffic.predictions'],
    TOPIC_CATALOGUE['traffic.dlq'],
    TOPIC_CATALOGUE['data.quarantined'],
  ]);
  await admin.disconnect();
  producer = kafka.producer({
    transactionalId: uniqueName('tail-it'),
    idempotent: true,
    maxInFlightRequests: 1,
  });
  await producer.connect();
  // 30 predictions over 12 partitions, one second apart; then one in an aborted transaction.
  await send(
    predictions,
    Array.from({ length: 30 }, (_, n) => prediction(n)),
  );
  await send(predictions, [prediction(99)], 'abort');
  await send(topicName(prefix, 'traffic.dlq'), [
    {
      key: 'probe-1',
      value: contracts.encode('traffic.dlq', {
        ...sampleEvent('traffic.dlq'),
        originalKey: Buffer.from('probe-1'),
      }),
    },
  ]);
  await send(topicName(prefix, 'data.quarantined'), [
    { key: 'run-1', value: contracts.encode('data.quarantined', sampleEvent('data.quarantined')) },
  ]);
});

afterAll(async () => {
  await producer?.disconnect();
  const admin = kafka.admin();
  await admin.connect();
  const mine = (await admin.listTopics()).filter((t) => t.startsWith(`${prefix}.`));
  if (mine.length > 0) await admin.deleteTopics({ topics: mine });
  await admin.disconnect();
});

describe('netsentry tail', () => {
  it('without --follow prints the last N predictions across partitions, in time order, and exits 0', async () => {
    const { out, lines } = collect();
    expect(
      await tail('predictions', { follow: false, json: false, fromBeginning: false, limit: 5 }, env, out),
    ).toBe(0);
    expect(lines()).toHaveLength(5);
    // The newest five (n = 25 … 29), oldest first; the aborted prediction (m-99) never shows.
    expect(lines().map((l) => /model=(\S+)/.exec(l)![1])).toEqual(['m-25', 'm-26', 'm-27', 'm-28', 'm-29']);
    expect(lines()[0]).toBe(
      `${new Date(T0 + 25_000).toISOString()}  replay-1764585600000-26  malicious  score=0.973  model=m-25  latency=3.8ms  e2e=12ms  source=netsentry-replay  line=26`,
    );
  });

  it('--limit 1 is the newest prediction, although each partition ends with a transaction marker', async () => {
    const { out, lines } = collect();
    expect(
      await tail('predictions', { follow: false, json: false, fromBeginning: false, limit: 1 }, env, out),
    ).toBe(0);
    expect(lines()).toEqual([expect.stringContaining('model=m-29')]);
  });

  it('--json --from-beginning: one decoded object per line, all of them, with where each was read', async () => {
    const { out, lines } = collect();
    expect(await tail('predictions', { follow: false, json: true, fromBeginning: true }, env, out)).toBe(0);
    const events = lines().map((l) => JSON.parse(l) as TailEvent & { kind: 'prediction' });
    expect(events).toHaveLength(30);
    expect(events.map((e) => e.modelVersion)).toEqual(Array.from({ length: 30 }, (_, n) => `m-${n}`));
    expect(events[0]).toMatchObject({
      kind: 'prediction',
      kafkaTopic: predictions,
      replay: { line: 1 },
      source: 'netsentry-replay',
    });
  });

  it('dlq and quarantine streams read both of their topics; a topic never written is named on stderr', async () => {
    let stderr = '';
    vi.spyOn(process.stderr, 'write').mockImplementation(
      (c: string | Uint8Array) => ((stderr += String(c)), true),
    );
    try {
      const dlq = collect();
      expect(await tail('dlq', { follow: false, json: false, fromBeginning: false }, env, dlq.out)).toBe(0);
      expect(dlq.lines()).toHaveLength(1);
      expect(dlq.lines()[0]).toMatch(
        / {2}traffic\.dlq\[\d+\]@0 {2}BAD_MARKER {2}not an Avro .* {2}key=probe-1$/,
      );
      expect(stderr).toContain(`${topicName(prefix, 'pipeline.dlq')} does not exist yet`);
      const quarantine = collect();
      expect(
        await tail('quarantine', { follow: false, json: false, fromBeginning: false }, env, quarantine.out),
      ).toBe(0);
      expect(quarantine.lines()).toEqual([
        expect.stringMatching(
          / {2}data\.quarantined {2}run=\S+ {2}dataset=\S+ {2}production=v41 {2}INVALID_AND_DRIFTED: /,
        ),
      ]);
    } finally {
      vi.restoreAllMocks();
    }
  });

  it('--follow prints new events as they come until stopped, and nothing twice', async () => {
    const seen: TailEvent[] = [];
    const abort = new AbortController();
    const done = tailEvents({
      env,
      stream: 'predictions',
      follow: true,
      limit: 1,
      signal: abort.signal,
      onEvent: (e) => seen.push(e),
    });
    const deadline = Date.now() + 20_000;
    while (seen.length < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await send(predictions, [prediction(30), prediction(31)]);
    while (seen.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    abort.abort();
    await expect(done).resolves.toMatchObject({ shown: 3 });
    expect(seen.map((e) => (e.kind === 'prediction' ? e.modelVersion : e.kind)).sort()).toEqual([
      'm-29',
      'm-30',
      'm-31',
    ]);
  });

  it('--follow on a topic nothing was written to yet creates it and shows its first event', async () => {
    const seen: TailEvent[] = [];
    const abort = new AbortController();
    const done = tailEvents({
      env,
      stream: 'dlq',
      follow: true,
      signal: abort.signal,
      onEvent: (e) => seen.push(e),
    });
    const deadline = Date.now() + 20_000;
    while (seen.length < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(seen.map((e) => e.topic)).toEqual(['traffic.dlq']); // the history
    const admin = kafka.admin();
    await admin.connect();
    const exists = async () => (await admin.listTopics()).includes(topicName(prefix, 'pipeline.dlq'));
    while (!(await exists()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await admin.disconnect();
    await send(topicName(prefix, 'pipeline.dlq'), [
      { key: 'run-9', value: contracts.encode('pipeline.dlq', sampleEvent('pipeline.dlq')) },
    ]);
    while (seen.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    abort.abort();
    await expect(done).resolves.toMatchObject({ missingTopics: [topicName(prefix, 'pipeline.dlq')] });
    expect(seen[1]).toMatchObject({
      kind: 'dead-letter',
      topic: 'pipeline.dlq',
      errorCode: 'HANDLER_FAILED',
    });
  });
});
