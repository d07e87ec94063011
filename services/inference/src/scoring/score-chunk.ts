import {
  ContractRegistry,
  LATEST_SCHEMA_VERSION,
  messageKey,
  type TrafficPrediction,
} from '@netsentry/contracts';
import type { LiveDriftReport } from '@netsentry/ml';
import { uuidV5, type InboundMessage } from '@netsentry/runtime';
import type { DriftWatch } from '../drift/drift-watch';
import type { LoadedModel } from '../model/model-holder';
import { decodeErrorCode, decodeTrafficRecord, type LiveRecord } from '../records/live-record';
import { scoreRecords, verdict } from './score-records';

/**
 * One chunk of `traffic.records` messages of one partition, packed for the scoring thread (decision 0107):
 * their bytes in one buffer, so it crosses to the worker as one transfer instead of one clone per message.
 */
export interface ChunkInput {
  /** The model version to score with (the one served when the chunk was taken). */
  readonly version: string;
  readonly kafkaTopic: string;
  readonly partition: number;
  /** When the runtime took the chunk (epoch ms). */
  readonly receivedAt: number;
  readonly count: number;
  /** Every value, then every key. */
  readonly bytes: Uint8Array;
  /** Per message: value start, value length, key start, key length (a length of -1: null). */
  readonly spans: Int32Array;
  /** Producer timestamps (epoch ms), NaN where there is none. */
  readonly timestamps: Float64Array;
  /** Log offsets (exact below 2^53). */
  readonly offsets: Float64Array;
}

/** A record refused by decoding or the model's checks: `index` is its position in the chunk. */
export interface ChunkRejection {
  readonly index: number;
  readonly code: string;
  readonly reason: string;
}

/** One extra output of the chunk's transaction (a drift alert, a RETRAIN). */
export interface ChunkExtraOutput {
  readonly topic: 'monitoring.drift' | 'admin.commands';
  readonly key: string | null;
  readonly value: Uint8Array;
}

/** What scoring a chunk made: encoded predictions and the figures the main thread turns into metrics. */
export interface ChunkScored {
  readonly version: string;
  readonly labels: { readonly positive: string; readonly negative: string };
  /** Every encoded prediction, one after the other; `predictionSpans` holds start and length of each. */
  readonly predictions: Uint8Array;
  readonly predictionSpans: Int32Array;
  /** The predictions' message keys (record ids), in the same order. */
  readonly keys: readonly string[];
  readonly rejected: readonly ChunkRejection[];
  readonly accepted: number;
  readonly positives: number;
  readonly scoringSeconds: number;
  /** Per prediction with a producer timestamp: ms from that timestamp to scoring. */
  readonly endToEndMs: Float64Array;
  readonly drift: {
    readonly report: LiveDriftReport | null;
    readonly alert: {
      readonly action: string;
      readonly shareDrifted: number;
      readonly drifted: readonly string[];
      readonly reason: string;
    } | null;
    readonly outputs: readonly ChunkExtraOutput[];
  };
}

const contracts = ContractRegistry.bundled();

/** Packs messages for `scoreChunk` (on this thread or the scoring thread). */
export function packChunk(
  version: string,
  kafkaTopic: string,
  partition: number,
  receivedAt: number,
  messages: readonly InboundMessage[],
): ChunkInput {
  const count = messages.length;
  let total = 0;
  for (const m of messages) total += (m.value?.length ?? 0) + (m.key?.length ?? 0);
  const bytes = new Uint8Array(total);
  const spans = new Int32Array(count * 4);
  const timestamps = new Float64Array(count);
  const offsets = new Float64Array(count);
  let at = 0;
  for (let i = 0; i < count; i++) {
    const m = messages[i]!;
    spans[i * 4] = at;
    if (m.value === null) spans[i * 4 + 1] = -1;
    else {
      bytes.set(m.value, at);
      spans[i * 4 + 1] = m.value.length;
      at += m.value.length;
    }
    timestamps[i] = m.timestamp ?? Number.NaN;
    offsets[i] = Number(m.offset);
  }
  for (let i = 0; i < count; i++) {
    const key = messages[i]!.key;
    spans[i * 4 + 2] = at;
    if (key === null) spans[i * 4 + 3] = -1;
    else {
      bytes.set(key, at);
      spans[i * 4 + 3] = key.length;
      at += key.length;
    }
  }
  return { version, kafkaTopic, partition, receivedAt, count, bytes, spans, timestamps, offsets };
}

/** What scoring needs besides the chunk: the model it names, the drift window, the envelope's producer. */
export interface ChunkScoringContext {
  readonly model: LoadedModel;
  readonly drift: DriftWatch;
  readonly producer: { readonly service: string; readonly version: string };
}

/** One chunk through `scoreChunks`. */
export function scoreChunk(context: ChunkScoringContext, input: ChunkInput): ChunkScored {
  return scoreChunks(context, [input])[0]!;
}

interface DecodedChunk {
  readonly records: LiveRecord[];
  /** Chunk positions of `records`. */
  readonly indices: number[];
  readonly rejected: ChunkRejection[];
}

function decodeChunk(input: ChunkInput): DecodedChunk {
  const buffer = Buffer.from(input.bytes.buffer, input.bytes.byteOffset, input.bytes.byteLength);
  const records: LiveRecord[] = [];
  const indices: number[] = [];
  const rejected: ChunkRejection[] = [];
  for (let i = 0; i < input.count; i++) {
    const valueLength = input.spans[i * 4 + 1]!;
    const keyLength = input.spans[i * 4 + 3]!;
    const valueStart = input.spans[i * 4]!;
    const keyStart = input.spans[i * 4 + 2]!;
    const message = {
      value: valueLength < 0 ? null : buffer.subarray(valueStart, valueStart + valueLength),
      key: keyLength < 0 ? null : buffer.subarray(keyStart, keyStart + keyLength),
    };
    try {
      records.push(decodeTrafficRecord(message));
      indices.push(i);
    } catch (error) {
      rejected.push({ index: i, code: decodeErrorCode(error), reason: (error as Error).message });
    }
  }
  return { records, indices, rejected };
}

/**
 * Decodes, checks and scores chunks of one model (chunks of several partitions taken together) through the
 * bundle's one scoring path: one `scoreRecords` call for all of them, so a round of small per-partition
 * chunks pays the frame, preprocessing and model call once. Then, per chunk, one prediction per accepted
 * record keyed by its record id, encoded in one buffer; the drift window observes the whole frame once,
 * and its evaluation (report, alert, extra outputs) goes with the first chunk. Pure of I/O: the same function
 * runs on the scoring thread and, with the thread off, on the main thread.
 */
export function scoreChunks(context: ChunkScoringContext, inputs: readonly ChunkInput[]): ChunkScored[] {
  const { model, drift, producer } = context;
  const decoded = inputs.map(decodeChunk);
  /** Where each chunk's records start in the combined batch. */
  const firsts: number[] = [];
  const all: LiveRecord[] = [];
  for (const d of decoded) {
    firsts.push(all.length);
    for (const r of d.records) all.push(r);
  }
  const scored = scoreRecords(model, all);
  const { accepted, scores } = scored;
  const total = accepted.length;
  const now = Date.now();
  const scoringMs = scored.scoringSeconds * 1000;
  const observedAt = new Float64Array(total);
  const results: ChunkScored[] = [];
  let k = 0; // position in `accepted`, ascending across chunks
  let r = 0; // position in `scored.rejected`, ascending too
  for (let c = 0; c < inputs.length; c++) {
    const input = inputs[c]!;
    const { records, indices, rejected } = decoded[c]!;
    const first = firsts[c]!;
    const end = first + records.length;
    for (; r < scored.rejected.length && scored.rejected[r]!.index < end; r++) {
      const x = scored.rejected[r]!;
      rejected.push({ index: indices[x.index - first]!, code: x.code, reason: x.reason });
    }
    rejected.sort((a, b) => a.index - b.index);
    const latencyMs = now - input.receivedAt;
    const predictions: TrafficPrediction[] = [];
    const keys: string[] = [];
    const endToEnd: number[] = [];
    let positives = 0;
    for (; k < total && accepted[k]! < end; k++) {
      const local = accepted[k]! - first;
      const i = indices[local]!;
      const record = records[local]!;
      const score = scores[k]!;
      const { isPositive, label } = verdict(model, score);
      if (isPositive) positives++;
      const produced = input.timestamps[i]!;
      const endToEndMs = Number.isNaN(produced) ? null : now - produced;
      if (endToEndMs !== null) endToEnd.push(endToEndMs);
      observedAt[k] = record.observedAt ?? now;
      const eventId = uuidV5(`inference/${input.kafkaTopic}/${input.partition}/${input.offsets[i]}`);
      const prediction: TrafficPrediction = {
        envelope: {
          eventId,
          runId: null,
          correlationId: record.correlationId ?? eventId,
          causationId: record.eventId,
          producer,
          occurredAt: now,
          schemaVersion: LATEST_SCHEMA_VERSION['traffic.predictions'],
        },
        recordId: record.recordId,
        source: record.source,
        dataset: model.dataset,
        score,
        label,
        isPositive,
        modelVersion: model.version,
        latencyMs,
        threshold: model.threshold,
        explanation: null,
        scoringMs,
        endToEndMs,
      };
      const key = messageKey('traffic.predictions', prediction);
      keys.push(keyString(key) ?? record.recordId);
      predictions.push(prediction);
    }
    // One buffer for the chunk's predictions (its ArrayBuffer is transferred back to the main thread).
    const encoded = contracts.encodeAll('traffic.predictions', predictions);
    const n = predictions.length;
    results.push({
      version: model.version,
      labels: model.labels,
      predictions: encoded.bytes,
      predictionSpans: encoded.spans,
      keys,
      rejected,
      accepted: n,
      positives,
      // The one model call's time, shared by the chunks' accepted records (the metric's sum stays true).
      scoringSeconds: total === 0 ? 0 : (scored.scoringSeconds * n) / total,
      endToEndMs: Float64Array.from(endToEnd),
      drift: { report: null, alert: null, outputs: [] },
    });
  }

  if (total > 0 && results.length > 0) {
    const observed = drift.observe(model, scored.frame, observedAt, now);
    let alert: ChunkScored['drift']['alert'] = null;
    const outputs: ChunkExtraOutput[] = [];
    const emission = observed.emission;
    if (emission !== null) {
      alert = {
        action: emission.alert.action,
        shareDrifted: emission.report.shareDrifted,
        drifted: emission.report.features.filter((f) => f.drifted).map((f) => f.feature),
        reason: emission.decision.reason,
      };
      outputs.push({
        topic: 'monitoring.drift',
        key: keyString(messageKey('monitoring.drift', emission.alert)),
        value: contracts.encode('monitoring.drift', emission.alert),
      });
      if (emission.retrain !== null) {
        outputs.push({
          topic: 'admin.commands',
          key: keyString(messageKey('admin.commands', emission.retrain)),
          value: contracts.encode('admin.commands', emission.retrain),
        });
      }
    }
    results[0] = { ...results[0]!, drift: { report: observed.report, alert, outputs } };
  }
  return results;
}

function keyString(key: string | Buffer | null): string | null {
  return key === null || typeof key === 'string' ? key : key.toString('utf8');
}
