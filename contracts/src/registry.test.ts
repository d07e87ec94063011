import { describe, expect, it } from 'vitest';
import {
  BadMarkerError,
  ContractError,
  IncompatibleSchemaError,
  InvalidEventError,
  InvalidSchemaSetError,
  MalformedMessageError,
  SchemaTopicMismatchError,
  UnknownSchemaError,
  UnknownTopicError,
  UnknownVersionError,
} from './errors';
import { rabinFingerprint64 } from './fingerprint';
import { TOPIC_NAMES, type TopicName, type TrafficPrediction, type TrafficRecord } from './generated/types';
import { ContractRegistry } from './registry';
import { sampleEvent } from './samples';
import { type AvroJsonObject, type SchemaSource, readSchemaDir } from './schema-set';
import { writeSingleObject } from './single-object';

const registry = ContractRegistry.bundled();

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw');
}

/** The bundled schemas plus extra versions, for registries built from a modified schema set. */
function withVersions(extra: { topic: string; version: number; schema: AvroJsonObject }[]): SchemaSource {
  const source = readSchemaDir();
  return { common: source.common, versions: [...source.versions, ...extra] };
}

/** The next traffic.predictions version after the latest, with extra fields. */
const NEXT_PREDICTION_VERSION = registry.latest('traffic.predictions').version + 1;
function nextPrediction(fields: AvroJsonObject[]): AvroJsonObject {
  const latest = registry.latest('traffic.predictions').schema;
  return { ...latest, fields: [...(latest.fields as AvroJsonObject[]), ...fields] };
}

describe('ContractRegistry', () => {
  it('loads a schema for every topic', () => {
    expect(registry.topicNames()).toEqual([...TOPIC_NAMES]);
  });

  it.each(TOPIC_NAMES)('round-trips the sample %s event', (topic) => {
    const event = sampleEvent(topic);
    expect(registry.decode(topic, registry.encode(topic, event))).toEqual(event);
  });

  it('writes a self-describing message: marker plus the CRC-64-AVRO of the canonical form', () => {
    const bytes = registry.encode('data.ingested', sampleEvent('data.ingested'));
    const latest = registry.latest('data.ingested');
    expect(bytes.subarray(0, 2).toString('hex')).toBe('c301');
    expect(bytes.readBigUInt64LE(2)).toBe(rabinFingerprint64(latest.canonicalForm));
  });

  it('reads a v1 traffic.records message (the map form) with the dense fields defaulted to empty', () => {
    const bytes = registry.encode('traffic.records', sampleEvent('traffic.records'), { version: 1 });
    expect(registry.describe(bytes)).toMatchObject({ topic: 'traffic.records', version: 1 });
    const decoded: TrafficRecord = registry.decode('traffic.records', bytes);
    expect(decoded.features['Flow Bytes/s']).toBe(1532.75);
    expect(decoded.featureSet).toBeNull();
    expect(decoded.values).toEqual([]);
  });

  it('round-trips the dense form of traffic.records with its nulls and strings in order', () => {
    const event: TrafficRecord = {
      ...sampleEvent('traffic.records'),
      features: {},
      featureSet: 'fs1:0123456789abcdef',
      values: [1532.75, 443, 'tcp', null],
    };
    const decoded = registry.decode('traffic.records', registry.encode('traffic.records', event));
    expect(decoded.values).toEqual([1532.75, 443, 'tcp', null]);
    expect(decoded.featureSet).toBe('fs1:0123456789abcdef');
    expect(decoded.features).toEqual({});
  });

  it('reads a v1 traffic.predictions message as the latest version with the new fields defaulted', () => {
    const bytes = registry.encode('traffic.predictions', sampleEvent('traffic.predictions'), { version: 1 });
    expect(registry.describe(bytes)).toMatchObject({ topic: 'traffic.predictions', version: 1 });

    const decoded: TrafficPrediction = registry.decode('traffic.predictions', bytes);
    expect(decoded.threshold).toBeNull();
    expect(decoded.explanation).toBeNull();
    expect(decoded.source).toBe('');
    expect(decoded.endToEndMs).toBeNull();
    expect(decoded.score).toBe(0.9731);
    expect(decoded.envelope.schemaVersion).toBe(1);
  });

  it('reads a v1 model.pushed message (one deployment-wide alias) as v2 with an empty dataset', () => {
    const v1 = { ...sampleEvent('model.pushed'), alias: 'production' };
    const bytes = registry.encode('model.pushed', v1, { version: 1 });
    expect(registry.describe(bytes)).toMatchObject({ topic: 'model.pushed', version: 1 });
    const decoded = registry.decode('model.pushed', bytes);
    expect(decoded).toMatchObject({ alias: 'production', dataset: '', modelVersion: 'v42' });
    const v2 = registry.decode('model.pushed', registry.encode('model.pushed', sampleEvent('model.pushed')));
    expect(v2).toMatchObject({ alias: 'production-phishing', dataset: 'phishing' });
  });

  it.each(registry.all().map((s) => [s.topic as TopicName, s.version] as const))(
    'decodes %s v%i messages into the latest shape',
    (topic, version) => {
      const bytes = registry.encode(topic, sampleEvent(topic), { version });
      expect(registry.decode(topic, bytes)).toMatchObject({ envelope: { schemaVersion: version } });
    },
  );

  it('stamps envelope.schemaVersion with the writer version without mutating the event', () => {
    const event = sampleEvent('traffic.predictions');
    event.envelope.schemaVersion = 99;
    const decoded = registry.decode('traffic.predictions', registry.encode('traffic.predictions', event));
    expect(decoded.envelope.schemaVersion).toBe(registry.latest('traffic.predictions').version);
    expect(event.envelope.schemaVersion).toBe(99);
  });

  it('rejects an event that does not match the schema, naming fields but not values', () => {
    const event = { ...sampleEvent('traffic.predictions'), score: 'very high' as unknown as number };
    const encode = (): Buffer => registry.encode('traffic.predictions', event);
    const error = thrown(encode);
    expect(error).toBeInstanceOf(InvalidEventError);
    expect(JSON.stringify(error)).toContain('score (expected double)');
    expect(JSON.stringify(error)).not.toContain('very high');
  });

  it('throws UnknownSchemaError with the fingerprint for an unknown writer schema', () => {
    const bytes = writeSingleObject(0xdeadbeefn, Buffer.from([0]));
    const error = thrown(() => registry.decode('traffic.records', bytes));
    expect(error).toBeInstanceOf(UnknownSchemaError);
    expect(error).toMatchObject({ code: 'UNKNOWN_SCHEMA', fingerprint: '00000000deadbeef' });
  });

  it('throws BadMarkerError for bytes that are not a single-object message', () => {
    expect(() => registry.decode('traffic.records', Buffer.from('{"recordId":"1"}'))).toThrow(BadMarkerError);
  });

  it('throws SchemaTopicMismatchError for a message written for another topic', () => {
    const bytes = registry.encode('traffic.records', sampleEvent('traffic.records'));
    expect(() => registry.decode('traffic.predictions', bytes)).toThrow(SchemaTopicMismatchError);
  });

  it('throws MalformedMessageError for a truncated body or trailing bytes', () => {
    const bytes = registry.encode('traffic.records', sampleEvent('traffic.records'));
    expect(() => registry.decode('traffic.records', bytes.subarray(0, bytes.length - 5))).toThrow(
      MalformedMessageError,
    );
    expect(() => registry.decode('traffic.records', Buffer.concat([bytes, Buffer.from([1])]))).toThrow(
      MalformedMessageError,
    );
  });

  it('throws UnknownTopicError and UnknownVersionError for topics and versions it does not have', () => {
    expect(() => registry.latest('no.such.topic')).toThrow(UnknownTopicError);
    expect(() => registry.encode('traffic.records', sampleEvent('traffic.records'), { version: 7 })).toThrow(
      UnknownVersionError,
    );
  });

  it('serializes errors as safe JSON with a code', () => {
    const error = new UnknownSchemaError('00000000deadbeef', 'traffic.records');
    expect(error).toBeInstanceOf(ContractError);
    expect(JSON.parse(JSON.stringify(error))).toEqual({
      name: 'UnknownSchemaError',
      code: 'UNKNOWN_SCHEMA',
      message: expect.stringContaining('00000000deadbeef') as string,
      details: { fingerprint: '00000000deadbeef', topic: 'traffic.records' },
    });
  });

  it('refuses to load when the latest version cannot read a past one', () => {
    const next = nextPrediction([{ name: 'region', type: 'string' }]);
    const load = (): unknown =>
      new ContractRegistry(
        withVersions([{ topic: 'traffic.predictions', version: NEXT_PREDICTION_VERSION, schema: next }]),
      );
    expect(load).toThrow(IncompatibleSchemaError);
    expect(load).toThrow(/region: added without a default/);
  });

  it('refuses a gap in the version sequence', () => {
    const afterNext = nextPrediction([{ name: 'region', type: ['null', 'string'], default: null }]);
    const version = NEXT_PREDICTION_VERSION + 1;
    expect(
      () =>
        new ContractRegistry(withVersions([{ topic: 'traffic.predictions', version, schema: afterNext }])),
    ).toThrow(InvalidSchemaSetError);
  });

  it('refuses an event schema without the envelope', () => {
    const schema = { type: 'record', name: 'Bare', namespace: 'io.netsentry.events', fields: [] };
    expect(() => new ContractRegistry(withVersions([{ topic: 'bare.events', version: 1, schema }]))).toThrow(
      /envelope/,
    );
  });
});

describe('ContractRegistry.encodeAll', () => {
  it('writes the same bytes as encode for each event, one after another, growing its buffer as it goes', () => {
    const base = sampleEvent('traffic.predictions');
    // Enough events, with long enough strings, to outgrow the first buffer several times.
    const events: TrafficPrediction[] = Array.from({ length: 300 }, (_, i) => ({
      ...base,
      recordId: `r-${i}-${'x'.repeat(i % 7 === 0 ? 2_000 : i)}`,
      score: i / 300,
      endToEndMs: i % 2 === 0 ? null : i,
    }));
    const { bytes, spans } = registry.encodeAll('traffic.predictions', events);
    expect(spans).toHaveLength(events.length * 2);
    let expectedStart = 0;
    events.forEach((event, i) => {
      const start = spans[i * 2]!;
      const one = bytes.subarray(start, start + spans[i * 2 + 1]!);
      expect(start).toBe(expectedStart);
      expect(Buffer.compare(one, registry.encode('traffic.predictions', event))).toBe(0);
      expect(registry.decode('traffic.predictions', one).recordId).toBe(event.recordId);
      expectedStart += one.length;
    });
    expect(bytes.length).toBe(expectedStart);
    // Its own memory, not Buffer's shared pool: it can be transferred to another thread.
    expect(bytes.buffer.byteLength).toBeGreaterThanOrEqual(bytes.length);
    expect(bytes.buffer).not.toBe(Buffer.from('pooled').buffer);
  });

  it('refuses an invalid event as encode does, naming the field', () => {
    const good = sampleEvent('traffic.predictions');
    const bad = { ...good, score: 'high' } as unknown as TrafficPrediction;
    expect(() => registry.encodeAll('traffic.predictions', [good, bad])).toThrow(/score/);
    expect(registry.encodeAll('traffic.predictions', []).bytes).toHaveLength(0);
  });
});
