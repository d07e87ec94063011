import { ContractRegistry, rootEnvelope, topicName, type TrafficRecord } from '@netsentry/contracts';
import { featureSetId } from '@netsentry/dataset';
import type { Frame } from '@netsentry/ml';
import { readTopic } from '@netsentry/testkit';
import type { Kafka, KafkaMessage, Message, Producer } from 'kafkajs';

const contracts = ContractRegistry.bundled();

/** Row `i` of a frame as a features object keyed by column name (NaN/null → null). */
export function rowFeatures(frame: Frame, i: number): Record<string, number | string | null> {
  const out: Record<string, number | string | null> = {};
  for (const c of frame.columns) {
    const v = c.values[i];
    out[c.name] =
      c.kind === 'numeric' ? (Number.isNaN(v) ? null : (v as number)) : ((v as string | null) ?? null);
  }
  return out;
}

export type WireFormat = 'avro' | 'avro-dense' | 'json' | 'json-flat';

/** One live record as a producer would write it. */
export function recordMessage(
  recordId: string,
  features: Record<string, unknown>,
  format: WireFormat,
): Message {
  if (format === 'avro') {
    const record: TrafficRecord = {
      envelope: rootEnvelope('traffic.records', { producer: { service: 'test-producer', version: '1' } }),
      recordId,
      source: 'it-sensor',
      observedAt: Date.now(),
      features: features as TrafficRecord['features'],
      featureSet: null,
      values: [],
    };
    // The map form as a v1 producer writes it.
    return { key: recordId, value: contracts.encode('traffic.records', record, { version: 1 }) };
  }
  if (format === 'avro-dense') {
    const order = Object.keys(features);
    return denseMessage(
      recordId,
      featureSetId(order),
      order.map((k) => features[k] as number | string | null),
    );
  }
  const body =
    format === 'json'
      ? { recordId, source: 'it-shipper', observedAt: new Date().toISOString(), features }
      : {
          recordId,
          source: 'it-shipper',
          '@timestamp': new Date().toISOString(),
          host: { name: 'edge-1' },
          ...features,
        };
  return { key: recordId, value: Buffer.from(JSON.stringify(body), 'utf8') };
}

/** A traffic.records v2 message in the dense form, with whatever feature set id and values it is given. */
export function denseMessage(
  recordId: string,
  featureSet: string,
  values: readonly (number | string | null)[],
): Message {
  const record: TrafficRecord = {
    envelope: rootEnvelope('traffic.records', { producer: { service: 'test-producer', version: '2' } }),
    recordId,
    source: 'it-sensor',
    observedAt: Date.now(),
    features: {},
    featureSet,
    values: [...values],
  };
  return { key: recordId, value: contracts.encode('traffic.records', record) };
}

/** Sends messages in chunks (acks=all). */
export async function sendAll(
  producer: Producer,
  topic: string,
  messages: readonly Message[],
  chunk = 500,
): Promise<void> {
  for (let i = 0; i < messages.length; i += chunk) {
    await producer.send({ topic, acks: -1, messages: messages.slice(i, i + chunk) });
  }
}

export interface PredictionRow {
  recordId: string;
  score: number;
  label: string;
  modelVersion: string;
  partition: number;
  offset: string;
}

/** Every committed prediction on the topic (read_committed), decoded. */
export async function readPredictions(
  kafka: Kafka,
  prefix: string,
  atLeast: number,
  timeoutMs = 90_000,
): Promise<PredictionRow[]> {
  const messages = await readTopic(kafka, topicName(prefix, 'traffic.predictions'), {
    atLeast,
    settleMs: 3_000,
    timeoutMs,
  });
  return messages.map((m: KafkaMessage & { partition?: number }) => {
    const p = contracts.decode('traffic.predictions', m.value!);
    return {
      recordId: p.recordId,
      score: p.score,
      label: p.label,
      modelVersion: p.modelVersion,
      partition: -1,
      offset: m.offset,
    };
  });
}

/** Counts of each record id. */
export function countById(rows: readonly { recordId: string }[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of rows) counts.set(r.recordId, (counts.get(r.recordId) ?? 0) + 1);
  return counts;
}
