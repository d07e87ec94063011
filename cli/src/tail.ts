import { kafkaSection, loadConfig, type Env } from '@netsentry/config';
import { TOPIC_CATALOGUE, topicName } from '@netsentry/contracts';
import { createKafka, provisionTopics } from '@netsentry/runtime';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  TAIL_STREAMS,
  formatTailLine,
  toTailEvent,
  type TailEvent,
  type TailStream,
  type TailTopic,
} from './tail-format';
import { TopicReader, endOffsets, startOffsets, type TopicStart } from './topic-reader';

export interface TailOptions {
  readonly env?: Env;
  readonly stream: TailStream;
  /** Keep reading new events until `signal` aborts. */
  readonly follow?: boolean;
  /** Start at the beginning of the topics instead of the last `limit` events. */
  readonly fromBeginning?: boolean;
  /**
   * How many events of the history to show: the last N (default 20); with `fromBeginning`, the first N
   * (default: all).
   */
  readonly limit?: number;
  readonly onEvent: (event: TailEvent) => void;
  /** Ends a follow (or a read of the history) early. */
  readonly signal?: AbortSignal;
}

export interface TailResult {
  /** Events handed to `onEvent`. */
  readonly shown: number;
  /** Topics of the stream that did not exist (nothing was ever written); created to follow them. */
  readonly missingTopics: readonly string[];
}

/**
 * Reads a stream's topics read_committed in a consumer group of its own that never commits: first the
 * history — the last `limit` events across the topics (or the first, `fromBeginning`), in time order —
 * then, with `follow`, every new event as it arrives until `signal` aborts.
 */
export async function tailEvents(options: TailOptions): Promise<TailResult> {
  const env = options.env ?? process.env;
  const settings = loadConfig(kafkaSection({ clientId: 'netsentry-tail' }), env);
  const topics = TAIL_STREAMS[options.stream].map((t) => ({
    topic: t,
    name: topicName(settings.topicPrefix, t),
  }));
  const byName = new Map<string, TailTopic>(topics.map((t) => [t.name, t.topic]));
  const fromBeginning = options.fromBeginning ?? false;
  const limit = options.limit ?? (fromBeginning ? Infinity : 20);

  const kafka = createKafka(settings);
  const admin = kafka.admin();
  await admin.connect();
  let reader: TopicReader | undefined;
  let shown = 0;
  try {
    const existing = new Set(await admin.listTopics());
    const missingTopics = topics.filter((t) => !existing.has(t.name)).map((t) => t.name);
    if (options.follow && missingTopics.length > 0) {
      // To follow a topic nothing was written to yet, create it as the catalogue says (as every
      // service does at start), so its first event is seen.
      await provisionTopics(
        admin,
        settings.topicPrefix,
        topics.filter((t) => !existing.has(t.name)).map((t) => TOPIC_CATALOGUE[t.topic]),
      );
      for (const t of missingTopics) existing.add(t);
    }
    const present = topics.filter((t) => existing.has(t.name));
    if (present.length === 0) return { shown, missingTopics };

    const starts: TopicStart[] = [];
    const ends: TopicStart[] = [];
    for (const t of present) {
      const point =
        fromBeginning || limit === Infinity
          ? ({ kind: 'beginning' } as const)
          : // Transactional topics hold a commit marker after each transaction: with one event per
            // transaction, the last N events span 2N offsets. More is read than shown; time order picks.
            ({ kind: 'last', count: 2 * limit + 1 } as const);
      starts.push({ topic: t.name, offsets: await startOffsets(admin, t.name, point) });
      ends.push({ topic: t.name, offsets: await endOffsets(admin, t.name) });
    }

    let live = false;
    const history: TailEvent[] = [];
    reader = new TopicReader(kafka, starts, ({ topic, partition, message }) => {
      const event = toTailEvent(byName.get(topic)!, topic, partition, message);
      if (live) {
        shown++;
        options.onEvent(event);
      } else history.push(event);
    });
    await reader.start();
    while (!reader.caughtUp(ends) && !options.signal?.aborted) await sleep(25);

    // Each partition was read from its own last N; across them, time order decides which N to show.
    history.sort((a, b) => a.timestamp - b.timestamp || a.kafkaTopic.localeCompare(b.kafkaTopic));
    const shownHistory = fromBeginning ? history.slice(0, limit) : history.slice(-limit);
    for (const event of shownHistory) {
      shown++;
      options.onEvent(event);
    }
    live = true;
    if (options.follow) {
      const signal = options.signal;
      if (signal && !signal.aborted) {
        await new Promise<void>((resolve) =>
          signal.addEventListener('abort', () => resolve(), { once: true }),
        );
      }
    }
    return { shown, missingTopics };
  } finally {
    await reader?.stop();
    await admin.disconnect();
  }
}

export interface TailCommandOptions {
  readonly follow: boolean;
  readonly json: boolean;
  readonly fromBeginning: boolean;
  readonly limit?: number;
}

/** `netsentry tail`. Exit codes: 0 (also after SIGINT/SIGTERM ends a --follow). */
export async function tail(
  stream: TailStream,
  opts: TailCommandOptions,
  env: Env = process.env,
  out: NodeJS.WritableStream = process.stdout,
): Promise<number> {
  const abort = new AbortController();
  const stop = (): void => abort.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    const result = await tailEvents({
      env,
      stream,
      follow: opts.follow,
      fromBeginning: opts.fromBeginning,
      ...(opts.limit === undefined ? {} : { limit: opts.limit }),
      signal: abort.signal,
      onEvent: (event) => out.write(`${opts.json ? JSON.stringify(event) : formatTailLine(event)}\n`),
    });
    if (!opts.follow) {
      for (const t of result.missingTopics) {
        process.stderr.write(`netsentry: ${t} does not exist yet (nothing written)\n`);
      }
    }
    return 0;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}
