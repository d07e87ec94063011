import { kafkaSection, loadConfig, type Env } from '@netsentry/config';
import { ContractRegistry, TOPIC_CATALOGUE, topicName } from '@netsentry/contracts';
import { createKafka, provisionTopics } from '@netsentry/runtime';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  TopicReader,
  endOffsets,
  startOffsets,
  type PartitionOffset,
  type ReadMessage,
  type StartPoint,
} from './topic-reader';

/** Explicit starting offsets for the two topics watched (e.g. their end offsets captured before a replay). */
export interface WatchOffsets {
  readonly predictions: readonly PartitionOffset[];
  readonly dlq: readonly PartitionOffset[];
}

export interface WatchProgress {
  readonly predicted: number;
  readonly deadLettered: number;
  /** Distinct ids predicted or dead-lettered. */
  readonly accounted: number;
  readonly expected: number;
  readonly elapsedMs: number;
}

export interface WatchOptions {
  /** NETSENTRY_KAFKA_* and NETSENTRY_TOPIC_PREFIX. */
  readonly env?: Env;
  /** Only records whose id starts with `<idPrefix>-` are counted (a replay's ids). */
  readonly idPrefix: string;
  /** How many distinct ids to wait for. */
  readonly expected: number;
  readonly timeoutMs: number;
  /**
   * Where to start reading traffic.predictions and traffic.dlq: an epoch-ms time (the first message
   * written at or after it, e.g. `Date.now()` taken before the replay), or offsets per partition. Default:
   * the beginning of both topics.
   */
  readonly since?: number | WatchOffsets;
  /** The ids sent (e.g. `ReplaySummary.recordIds`): lets the result name the missing ones. */
  readonly recordIds?: readonly string[];
  /**
   * Once every expected id is accounted for, keep reading until the topics' end offsets at that moment are
   * reached (so a duplicate already written is counted), but no longer than this. Default 2,000 ms.
   */
  readonly settleMs?: number;
  /** Called at most every 250 ms, and once at the end. */
  readonly onProgress?: (progress: WatchProgress) => void;
  readonly signal?: AbortSignal;
}

export interface LatencyStats {
  /** Values that had a figure (endToEndMs is null when the service did not know the record's time). */
  readonly count: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

export interface WatchResult {
  readonly idPrefix: string;
  readonly expected: number;
  /** Distinct ids with a prediction. */
  readonly predicted: number;
  /** Predictions beyond the first for the same id (0 with exactly-once). */
  readonly duplicates: number;
  /** Up to 20 of the ids predicted more than once. */
  readonly duplicateIds: readonly string[];
  /** Distinct ids dead-lettered on traffic.dlq. */
  readonly deadLettered: number;
  readonly deadLetteredByCode: Readonly<Record<string, number>>;
  /** Distinct ids predicted or dead-lettered. */
  readonly accounted: number;
  /** Every expected id was accounted for before the timeout. */
  readonly complete: boolean;
  readonly timedOut: boolean;
  /** Predictions by the model version that made them. */
  readonly modelVersions: Readonly<Record<string, number>>;
  /** Predictions by label. */
  readonly labels: Readonly<Record<string, number>>;
  readonly endToEndMs: LatencyStats | null;
  readonly scoringMs: LatencyStats | null;
  /** The service's processing latency (from consuming the batch to producing the prediction). */
  readonly latencyMs: LatencyStats | null;
  /** Kafka timestamps (epoch ms) of the first and last prediction read. */
  readonly firstPredictionAt: number | null;
  readonly lastPredictionAt: number | null;
  /** Predictions ÷ seconds from the first to the last one's Kafka timestamp; null with fewer than two. */
  readonly throughputPerSecond: number | null;
  /** expected − accounted, at least 0. */
  readonly missing: number;
  /** The ids of `recordIds` never accounted for (at most 1,000), or null without `recordIds`. */
  readonly missingIds: readonly string[] | null;
  readonly elapsedMs: number;
}

/** Nearest-rank percentile of ascending values (`q` in [0, 1]). */
export function percentile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) throw new RangeError('percentile of no values');
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)));
  return sorted[rank - 1]!;
}

/** p50, p99 and max of the values, or null when there are none. */
export function latencyStats(values: readonly number[]): LatencyStats | null {
  if (values.length === 0) return null;
  const sorted = Float64Array.from(values).sort();
  return {
    count: sorted.length,
    p50: percentile(sorted, 0.5),
    p99: percentile(sorted, 0.99),
    max: sorted[sorted.length - 1]!,
  };
}

const contracts = ContractRegistry.bundled();
const PROGRESS_EVERY_MS = 250;
const MISSING_IDS_SHOWN = 1_000;

/**
 * Waits for the verdicts of a replay: reads traffic.predictions and traffic.dlq read_committed (a
 * prediction of an aborted transaction is never counted) from `since`, in a fresh consumer group that
 * never commits, keeps the records whose id starts with `<idPrefix>-`, and stops when `expected` distinct
 * ids are accounted for (predicted or dead-lettered; see `settleMs`) or at the timeout. A DLQ entry's id
 * is its original key (the record id), else the recordId inside its original value.
 */
export async function watchPredictions(options: WatchOptions): Promise<WatchResult> {
  const env = options.env ?? process.env;
  const settings = loadConfig(kafkaSection({ clientId: 'netsentry-watch' }), env);
  const predictionsTopic = topicName(settings.topicPrefix, 'traffic.predictions');
  const dlqTopic = topicName(settings.topicPrefix, 'traffic.dlq');
  const idStart = `${options.idPrefix}-`;
  const started = performance.now();
  const deadline = started + options.timeoutMs;

  const predictedCount = new Map<string, number>();
  const deadLetteredIds = new Set<string>();
  const byCode: Record<string, number> = {};
  const modelVersions: Record<string, number> = {};
  const labels: Record<string, number> = {};
  const endToEnd: number[] = [];
  const scoring: number[] = [];
  const latency: number[] = [];
  let predictions = 0;
  let firstAt: number | null = null;
  let lastAt: number | null = null;
  const accounted = (): number => {
    let n = predictedCount.size;
    for (const id of deadLetteredIds) if (!predictedCount.has(id)) n++;
    return n;
  };
  let accountedCount = 0;

  const onMessage = ({ topic, message }: ReadMessage): void => {
    if (message.value === null) return;
    if (topic === predictionsTopic) {
      // Cheap filter before decoding: the key is the record id.
      if (message.key !== null && !message.key.toString('utf8').startsWith(idStart)) return;
      let p;
      try {
        p = contracts.decode('traffic.predictions', message.value);
      } catch {
        return; // not ours to judge: tail shows undecodable messages
      }
      if (!p.recordId.startsWith(idStart)) return;
      const seen = predictedCount.get(p.recordId) ?? 0;
      predictedCount.set(p.recordId, seen + 1);
      if (seen === 0 && !deadLetteredIds.has(p.recordId)) accountedCount++;
      predictions++;
      modelVersions[p.modelVersion] = (modelVersions[p.modelVersion] ?? 0) + 1;
      labels[p.label] = (labels[p.label] ?? 0) + 1;
      if (p.endToEndMs !== null) endToEnd.push(p.endToEndMs);
      scoring.push(p.scoringMs);
      latency.push(p.latencyMs);
      const at = Number(message.timestamp);
      firstAt = firstAt === null ? at : Math.min(firstAt, at);
      lastAt = lastAt === null ? at : Math.max(lastAt, at);
      return;
    }
    let d;
    try {
      d = contracts.decode('traffic.dlq', message.value);
    } catch {
      return;
    }
    const id = deadLetterRecordId(d.originalKey, d.originalValue);
    if (id === null || !id.startsWith(idStart) || deadLetteredIds.has(id)) return;
    deadLetteredIds.add(id);
    byCode[d.errorCode] = (byCode[d.errorCode] ?? 0) + 1;
    if (!predictedCount.has(id)) accountedCount++;
  };

  const kafka = createKafka(settings);
  const admin = kafka.admin();
  await admin.connect();
  let reader: TopicReader | undefined;
  let timedOut = false;
  try {
    await provisionTopics(admin, settings.topicPrefix, [
      TOPIC_CATALOGUE['traffic.predictions'],
      TOPIC_CATALOGUE['traffic.dlq'],
    ]);
    const since = options.since;
    const startOf = async (topic: string, explicit: readonly PartitionOffset[] | undefined) =>
      explicit ??
      startOffsets(
        admin,
        topic,
        typeof since === 'number'
          ? ({ kind: 'timestamp', timestamp: since } satisfies StartPoint)
          : { kind: 'beginning' },
      );
    const explicit = typeof since === 'object' ? since : undefined;
    const starts = [
      { topic: predictionsTopic, offsets: await startOf(predictionsTopic, explicit?.predictions) },
      { topic: dlqTopic, offsets: await startOf(dlqTopic, explicit?.dlq) },
    ];
    reader = new TopicReader(kafka, starts, onMessage);
    await reader.start();

    let lastProgress = 0;
    const progress = (force: boolean): void => {
      const now = performance.now();
      if (!options.onProgress || (!force && now - lastProgress < PROGRESS_EVERY_MS)) return;
      lastProgress = now;
      options.onProgress({
        predicted: predictedCount.size,
        deadLettered: deadLetteredIds.size,
        accounted: accountedCount,
        expected: options.expected,
        elapsedMs: now - started,
      });
    };
    while (accountedCount < options.expected) {
      if (performance.now() >= deadline || options.signal?.aborted) {
        timedOut = true;
        break;
      }
      progress(false);
      await sleep(25);
    }
    if (!timedOut) {
      // Read on to the ends as they are now, so a duplicate already written is counted too.
      const ends = [
        { topic: predictionsTopic, offsets: await endOffsets(admin, predictionsTopic) },
        { topic: dlqTopic, offsets: await endOffsets(admin, dlqTopic) },
      ];
      const settleUntil = Math.min(deadline, performance.now() + (options.settleMs ?? 2_000));
      while (!reader.caughtUp(ends) && performance.now() < settleUntil) await sleep(25);
    }
    progress(true);
  } finally {
    await reader?.stop();
    await admin.disconnect();
  }

  const total = accounted();
  const duplicateIds = [...predictedCount].filter(([, n]) => n > 1).map(([id]) => id);
  const missingIds =
    options.recordIds === undefined
      ? null
      : options.recordIds
          .filter((id) => !predictedCount.has(id) && !deadLetteredIds.has(id))
          .slice(0, MISSING_IDS_SHOWN);
  const span = firstAt !== null && lastAt !== null ? lastAt - firstAt : 0;
  return {
    idPrefix: options.idPrefix,
    expected: options.expected,
    predicted: predictedCount.size,
    duplicates: predictions - predictedCount.size,
    duplicateIds: duplicateIds.slice(0, 20),
    deadLettered: deadLetteredIds.size,
    deadLetteredByCode: byCode,
    accounted: total,
    complete: total >= options.expected,
    timedOut,
    modelVersions,
    labels,
    endToEndMs: latencyStats(endToEnd),
    scoringMs: latencyStats(scoring),
    latencyMs: latencyStats(latency),
    firstPredictionAt: firstAt,
    lastPredictionAt: lastAt,
    throughputPerSecond: predictions >= 2 && span > 0 ? (predictions * 1000) / span : null,
    missing: Math.max(0, options.expected - total),
    missingIds,
    elapsedMs: performance.now() - started,
  };
}

/**
 * The record id of a traffic dead letter: its original key (inference keeps the record's key, which
 * `netsentry replay` sets to the id), else the `recordId` of the original value when it decodes (Avro
 * TrafficRecord or JSON), else null.
 */
export function deadLetterRecordId(originalKey: Buffer | null, originalValue: Buffer): string | null {
  if (originalKey !== null && originalKey.length > 0) return originalKey.toString('utf8');
  const record = decodeOriginalRecord(originalValue);
  return record?.recordId ?? null;
}

/** The id and source of a dead-lettered traffic record, when its original bytes still decode. */
export function decodeOriginalRecord(value: Buffer): { recordId: string; source: string | null } | null {
  try {
    if (value[0] === 0xc3 && value[1] === 0x01) {
      const r = contracts.decode('traffic.records', value);
      return { recordId: r.recordId, source: r.source };
    }
    const parsed: unknown = JSON.parse(value.toString('utf8'));
    if (typeof parsed !== 'object' || parsed === null) return null;
    const { recordId, source } = parsed as { recordId?: unknown; source?: unknown };
    if (typeof recordId !== 'string') return null;
    return { recordId, source: typeof source === 'string' ? source : null };
  } catch {
    return null;
  }
}
