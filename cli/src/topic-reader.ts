import { randomUUID } from 'node:crypto';
import { KafkaJSError, type Admin, type Consumer, type Kafka, type KafkaMessage } from 'kafkajs';
import { setTimeout as sleep } from 'node:timers/promises';

/** The position after the last message of one partition (Kafka's "high watermark"). */
export interface PartitionOffset {
  readonly partition: number;
  readonly offset: string;
}

/**
 * Runs an offsets request on `topic`, retrying while a new topic's leaders are being elected (kafkajs's
 * admin does not refresh its metadata on NOT_LEADER by itself).
 */
async function withLeaders<T>(
  admin: Admin,
  topic: string,
  request: () => Promise<T>,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await request();
    } catch (err) {
      if (!(err instanceof KafkaJSError && err.retriable) || Date.now() > deadline) throw err;
      await sleep(200);
      await admin.fetchTopicMetadata({ topics: [topic] }).catch(() => undefined);
    }
  }
}

/** A topic's end offsets (as read_committed sees them: the last stable offset), by partition. */
export async function endOffsets(admin: Admin, topic: string): Promise<PartitionOffset[]> {
  return startOffsets(admin, topic, { kind: 'end' });
}

/** Where to start reading one topic: an offset per partition. */
export interface TopicStart {
  readonly topic: string;
  readonly offsets: readonly PartitionOffset[];
}

export interface ReadMessage {
  readonly topic: string;
  readonly partition: number;
  readonly message: KafkaMessage;
}

/** Where reading begins: the first offset at or after a time, the beginning, the end, or the last N. */
export type StartPoint =
  | { readonly kind: 'timestamp'; readonly timestamp: number }
  | { readonly kind: 'beginning' }
  | { readonly kind: 'end' }
  | { readonly kind: 'last'; readonly count: number };

/** Resolves a start point to offsets per partition of `topic`. */
export async function startOffsets(
  admin: Admin,
  topic: string,
  point: StartPoint,
): Promise<PartitionOffset[]> {
  const sorted = (offsets: PartitionOffset[]): PartitionOffset[] =>
    offsets.sort((a, b) => a.partition - b.partition);
  if (point.kind === 'timestamp') {
    const offsets = await withLeaders(admin, topic, () =>
      admin.fetchTopicOffsetsByTimestamp(topic, point.timestamp),
    );
    return sorted(offsets.map((o) => ({ partition: o.partition, offset: o.offset })));
  }
  const ends = await withLeaders(admin, topic, () => admin.fetchTopicOffsets(topic));
  return sorted(
    ends.map((o) => {
      if (point.kind === 'beginning') return { partition: o.partition, offset: o.low };
      if (point.kind === 'end') return { partition: o.partition, offset: o.high };
      const from = BigInt(o.high) - BigInt(point.count);
      return { partition: o.partition, offset: String(from > BigInt(o.low) ? from : BigInt(o.low)) };
    }),
  );
}

/**
 * Reads topics from given offsets as a read_committed consumer (aborted transactions and control records
 * are never seen) in a fresh group of its own that never commits: nothing it does moves anyone's offsets,
 * and a second reader starts where it is told, not where the first stopped. Tracks how far it has read
 * each partition, control records included, so a caller can tell when it has caught up with given ends.
 */
export class TopicReader {
  private readonly consumer: Consumer;
  /** Next offset to read, per `topic:partition`. */
  private readonly positions = new Map<string, bigint>();
  private running = false;

  constructor(
    kafka: Kafka,
    private readonly starts: readonly TopicStart[],
    private readonly onMessage: (m: ReadMessage) => void,
  ) {
    this.consumer = kafka.consumer({
      groupId: `netsentry-cli-reader-${randomUUID()}`,
      readUncommitted: false,
      allowAutoTopicCreation: false,
      maxWaitTimeInMs: 100,
    });
    for (const s of starts)
      for (const o of s.offsets) this.positions.set(key(s.topic, o.partition), BigInt(o.offset));
    const { END_BATCH_PROCESS } = this.consumer.events;
    this.consumer.on(END_BATCH_PROCESS, ({ payload }) => {
      const k = key(payload.topic, payload.partition);
      const next = BigInt(payload.lastOffset) + 1n;
      if (next > (this.positions.get(k) ?? 0n)) this.positions.set(k, next);
    });
  }

  async start(): Promise<void> {
    await this.consumer.connect();
    for (const s of this.starts) await this.consumer.subscribe({ topic: s.topic, fromBeginning: true });
    await this.consumer.run({
      autoCommit: false,
      eachBatch: ({ batch }) => {
        for (const message of batch.messages) {
          this.onMessage({ topic: batch.topic, partition: batch.partition, message });
        }
        return Promise.resolve();
      },
    });
    this.running = true;
    // Applied when the partitions are assigned, before their first fetch (autoCommit off: never committed).
    for (const s of this.starts) {
      for (const o of s.offsets)
        this.consumer.seek({ topic: s.topic, partition: o.partition, offset: o.offset });
    }
  }

  /** Whether every partition of `ends` has been read up to (not including) its offset. */
  caughtUp(ends: readonly TopicStart[]): boolean {
    return ends.every((e) =>
      e.offsets.every((o) => (this.positions.get(key(e.topic, o.partition)) ?? 0n) >= BigInt(o.offset)),
    );
  }

  async stop(): Promise<void> {
    if (this.running) await this.consumer.stop();
    this.running = false;
    await this.consumer.disconnect();
  }
}

function key(topic: string, partition: number): string {
  return `${topic}:${partition}`;
}
