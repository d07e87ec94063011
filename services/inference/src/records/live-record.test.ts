import { ContractRegistry, rootEnvelope, writeSingleObject } from '@netsentry/contracts';
import type { InboundMessage } from '@netsentry/runtime';
import { describe, expect, it } from 'vitest';
import { decodeErrorCode, decodeTrafficRecord } from './live-record';

const message = (value: Buffer, key: string | null = null): InboundMessage => ({
  topic: 'traffic.records',
  kafkaTopic: 'it.traffic.records',
  partition: 3,
  offset: '17',
  key: key === null ? null : Buffer.from(key),
  value,
  timestamp: 1_000,
});
const json = (v: unknown): Buffer => Buffer.from(JSON.stringify(v));
const codeOf = (value: Buffer): string => {
  try {
    decodeTrafficRecord(message(value));
  } catch (e) {
    return decodeErrorCode(e);
  }
  return 'decoded';
};

describe('decodeTrafficRecord', () => {
  it('reads the Avro single-object form with its envelope', () => {
    const event = {
      envelope: rootEnvelope('traffic.records', { producer: { service: 'sensor', version: '1' } }),
      recordId: 'r-1',
      source: 'proxy-1',
      observedAt: 42,
      features: { 'Flow Bytes/s': 1.5, protocol: 'tcp', port: null },
      featureSet: null,
      values: [],
    };
    const record = decodeTrafficRecord(
      message(ContractRegistry.bundled().encode('traffic.records', event, { version: 1 })),
    );
    expect(record).toMatchObject({
      recordId: 'r-1',
      source: 'proxy-1',
      observedAt: 42,
      format: 'avro',
      flat: false,
    });
    expect(record.features).toEqual(event.features);
    expect(record.dense).toBeNull();
    expect(record.eventId).toBe(event.envelope.eventId);
  });

  it('reads the dense Avro form (v2) and the dense JSON form, values in order', () => {
    const event = {
      envelope: rootEnvelope('traffic.records', { producer: { service: 'sensor', version: '2' } }),
      recordId: 'r-2',
      source: 'proxy-1',
      observedAt: 42,
      features: {},
      featureSet: 'fs1:0123456789abcdef',
      values: [1.5, 'tcp', null],
    };
    const avro = decodeTrafficRecord(message(ContractRegistry.bundled().encode('traffic.records', event)));
    expect(avro.dense).toEqual({ featureSet: 'fs1:0123456789abcdef', values: [1.5, 'tcp', null] });
    expect(avro.format).toBe('avro');
    const viaJson = decodeTrafficRecord(
      message(json({ recordId: 'j', featureSet: 'fs1:0123456789abcdef', values: [1, 'udp'] })),
    );
    expect(viaJson.dense).toEqual({ featureSet: 'fs1:0123456789abcdef', values: [1, 'udp'] });
  });

  it('refuses a dense record without its feature set, or with both forms', () => {
    expect(codeOf(json({ recordId: 'a', values: [1, 2] }))).toBe('UNKNOWN_FEATURE_SET');
    expect(codeOf(json({ recordId: 'a', featureSet: 'fs1:x', values: 3 }))).toBe('MALFORMED_JSON');
    expect(codeOf(json({ recordId: 'a', featureSet: 'fs1:x', values: [1], features: { x: 1 } }))).toBe(
      'MALFORMED_JSON',
    );
    const both = ContractRegistry.bundled().encode('traffic.records', {
      envelope: rootEnvelope('traffic.records', { producer: { service: 'sensor', version: '2' } }),
      recordId: 'b',
      source: 's',
      observedAt: 1,
      features: { x: 1 },
      featureSet: 'fs1:0123456789abcdef',
      values: [1],
    });
    expect(codeOf(both)).toBe('MALFORMED_JSON');
  });

  it('reads JSON with a features object, or flat as log shippers write it, the key standing in for the id', () => {
    const nested = decodeTrafficRecord(
      message(json({ recordId: 'a', features: { x: 1 }, observedAt: '1970-01-01T00:00:01Z' })),
    );
    expect(nested).toMatchObject({
      recordId: 'a',
      source: 'unknown',
      observedAt: 1000,
      flat: false,
      format: 'json',
    });
    const flat = decodeTrafficRecord(message(json({ x: 1, host: 'edge' }), 'key-7'));
    expect(flat).toMatchObject({ recordId: 'key-7', flat: true, features: { x: 1, host: 'edge' } });
  });

  it('says why bytes are not a record', () => {
    expect(codeOf(Buffer.from([0x00, 0xff]))).toBe('NOT_AVRO_OR_JSON');
    expect(codeOf(Buffer.from('{"recordId": '))).toBe('MALFORMED_JSON');
    expect(codeOf(json([1, 2]).subarray(0))).toBe('NOT_AVRO_OR_JSON');
    expect(codeOf(json({ features: { x: 1 } }))).toBe('MISSING_RECORD_ID');
    expect(codeOf(json({ recordId: 'a', features: [1] }))).toBe('MALFORMED_JSON');
    expect(codeOf(writeSingleObject(0xdeadbeefn, Buffer.from([1])))).toBe('UNKNOWN_SCHEMA');
    expect(codeOf(Buffer.from([0xc3, 0x01, 0x00]))).toBe('MALFORMED_MESSAGE');
  });
});
