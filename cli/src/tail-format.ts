import { ContractRegistry, type TopicName } from '@netsentry/contracts';
import type { KafkaMessage } from 'kafkajs';
import { decodeOriginalRecord } from './traffic-watch';

/** What `netsentry tail` follows, and the topics of each. */
export type TailStream = 'predictions' | 'dlq' | 'quarantine';
export type TailTopic = Extract<
  TopicName,
  'traffic.predictions' | 'traffic.dlq' | 'pipeline.dlq' | 'data.quarantined' | 'model.quarantined'
>;
export const TAIL_STREAMS: Readonly<Record<TailStream, readonly TailTopic[]>> = {
  predictions: ['traffic.predictions'],
  dlq: ['traffic.dlq', 'pipeline.dlq'],
  quarantine: ['data.quarantined', 'model.quarantined'],
};

/** Where an event was read: the catalogue topic, the prefixed topic, partition, offset, Kafka time. */
interface Position {
  readonly topic: TailTopic;
  readonly kafkaTopic: string;
  readonly partition: number;
  readonly offset: string;
  /** Kafka timestamp, epoch ms. */
  readonly timestamp: number;
}

export interface PredictionEvent extends Position {
  readonly kind: 'prediction';
  readonly recordId: string;
  /** Who observed the record (`netsentry-replay` for a replay); empty for predictions before v3. */
  readonly source: string;
  readonly dataset: string;
  readonly label: string;
  readonly isPositive: boolean;
  readonly score: number;
  readonly modelVersion: string;
  readonly latencyMs: number;
  readonly scoringMs: number;
  readonly endToEndMs: number | null;
  /** For ids of the replay scheme (`<prefix>-<line>`, the default prefix `replay-<ms>`): the file line. */
  readonly replay: { readonly idPrefix: string; readonly line: number } | null;
}

export interface DeadLetterEvent extends Position {
  readonly kind: 'dead-letter';
  readonly originalTopic: string;
  readonly originalPartition: number;
  readonly originalOffset: number;
  /** The original message key as text (a record id on traffic.dlq, a run id on pipeline.dlq). */
  readonly originalKey: string | null;
  readonly errorCode: string;
  readonly reason: string;
  readonly attempts: number;
  /** traffic.dlq: the record's id and source, when its original bytes still decode. */
  readonly record: { readonly recordId: string; readonly source: string | null } | null;
  /** pipeline.dlq: the run of the original event, when its bytes still decode. */
  readonly runId: string | null;
}

export interface QuarantineEvent extends Position {
  readonly kind: 'quarantine';
  readonly runId: string | null;
  /** data.quarantined: the dataset; model.quarantined carries none (its model version says which run). */
  readonly dataset: string | null;
  readonly modelVersion: string | null;
  /** data: INVALID / DRIFTED / INVALID_AND_DRIFTED; model: the failed checks joined with '+'. */
  readonly verdict: string;
  readonly reasons: readonly string[];
}

export interface UndecodableEvent extends Position {
  readonly kind: 'undecodable';
  readonly error: string;
}

export type TailEvent = PredictionEvent | DeadLetterEvent | QuarantineEvent | UndecodableEvent;

const contracts = ContractRegistry.bundled();
const REPLAY_ID = /^(replay-\d+)-([1-9]\d*)$/;

/** Decodes one message of a tailed topic through the contracts into a TailEvent (never throws). */
export function toTailEvent(
  topic: TailTopic,
  kafkaTopic: string,
  partition: number,
  message: Pick<KafkaMessage, 'offset' | 'timestamp' | 'value'>,
): TailEvent {
  const position: Position = {
    topic,
    kafkaTopic,
    partition,
    offset: message.offset,
    timestamp: Number(message.timestamp),
  };
  try {
    if (message.value === null) throw new Error('empty message (a tombstone)');
    const value = message.value;
    switch (topic) {
      case 'traffic.predictions': {
        const p = contracts.decode('traffic.predictions', value);
        const replay = REPLAY_ID.exec(p.recordId);
        return {
          ...position,
          kind: 'prediction',
          recordId: p.recordId,
          source: p.source,
          dataset: p.dataset,
          label: p.label,
          isPositive: p.isPositive,
          score: p.score,
          modelVersion: p.modelVersion,
          latencyMs: p.latencyMs,
          scoringMs: p.scoringMs,
          endToEndMs: p.endToEndMs,
          replay: replay === null ? null : { idPrefix: replay[1]!, line: Number(replay[2]) },
        };
      }
      case 'traffic.dlq':
      case 'pipeline.dlq': {
        const d =
          topic === 'traffic.dlq'
            ? contracts.decode('traffic.dlq', value)
            : contracts.decode('pipeline.dlq', value);
        return {
          ...position,
          kind: 'dead-letter',
          originalTopic: d.originalTopic,
          originalPartition: d.originalPartition,
          originalOffset: d.originalOffset,
          originalKey: d.originalKey === null ? null : d.originalKey.toString('utf8'),
          errorCode: d.errorCode,
          reason: d.reason,
          attempts: d.attempts,
          record: topic === 'traffic.dlq' ? decodeOriginalRecord(d.originalValue) : null,
          runId: topic === 'pipeline.dlq' ? originalRunId(d.originalValue) : null,
        };
      }
      case 'data.quarantined': {
        const q = contracts.decode('data.quarantined', value);
        return {
          ...position,
          kind: 'quarantine',
          runId: q.envelope.runId,
          dataset: q.dataset.datasetName,
          modelVersion: q.referenceModelVersion,
          verdict: q.verdict,
          reasons: q.reasons,
        };
      }
      case 'model.quarantined': {
        const q = contracts.decode('model.quarantined', value);
        return {
          ...position,
          kind: 'quarantine',
          runId: q.envelope.runId,
          dataset: null,
          modelVersion: q.modelVersion,
          verdict: q.failedChecks.join('+'),
          reasons: q.reasons,
        };
      }
    }
  } catch (err) {
    return { ...position, kind: 'undecodable', error: err instanceof Error ? err.message : String(err) };
  }
}

/** The run id in the envelope of a pipeline event's original bytes, when they decode. */
function originalRunId(value: Buffer): string | null {
  try {
    const { topic } = contracts.describe(value);
    const event = contracts.decode(topic as TopicName, value) as { envelope?: { runId?: string | null } };
    return event.envelope?.runId ?? null;
  } catch {
    return null;
  }
}

const ms = (v: number): string => `${v < 10 ? v.toFixed(1) : Math.round(v)}ms`;

/** One readable line per event; the topic and time first, then what an operator looks for. */
export function formatTailLine(e: TailEvent): string {
  const time = Number.isFinite(e.timestamp) ? new Date(e.timestamp).toISOString() : '-';
  switch (e.kind) {
    case 'prediction': {
      const parts = [
        time,
        e.recordId,
        e.label,
        `score=${e.score.toFixed(3)}`,
        `model=${e.modelVersion}`,
        `latency=${ms(e.latencyMs)}`,
        `e2e=${e.endToEndMs === null ? '-' : ms(e.endToEndMs)}`,
      ];
      if (e.source) parts.push(`source=${e.source}`);
      if (e.replay) parts.push(`line=${e.replay.line}`);
      return parts.join('  ');
    }
    case 'dead-letter': {
      const from = `${e.originalTopic}[${e.originalPartition}]@${e.originalOffset}`;
      const parts = [time, `${e.topic}[${e.partition}]@${e.offset}`, e.errorCode, e.reason, `from=${from}`];
      if (e.record) {
        parts.push(`record=${e.record.recordId}`);
        if (e.record.source) parts.push(`source=${e.record.source}`);
      } else if (e.originalKey !== null) parts.push(`key=${e.originalKey}`);
      if (e.runId) parts.push(`run=${e.runId}`);
      if (e.attempts > 1) parts.push(`attempts=${e.attempts}`);
      return parts.join('  ');
    }
    case 'quarantine': {
      const parts = [time, e.topic, `run=${e.runId ?? '-'}`];
      if (e.dataset) parts.push(`dataset=${e.dataset}`);
      if (e.modelVersion)
        parts.push(`${e.topic === 'model.quarantined' ? 'model' : 'production'}=${e.modelVersion}`);
      parts.push(`${e.verdict}: ${e.reasons.join('; ')}`);
      return parts.join('  ');
    }
    case 'undecodable':
      return [time, `${e.topic}[${e.partition}]@${e.offset}`, 'UNDECODABLE', e.error].join('  ');
  }
}
