import { ContractRegistry, sampleEvent } from '@netsentry/contracts';
import { describe, expect, it } from 'vitest';
import { encodeTrafficRecord } from '../src/replay-records';
import { deadLetterRecordId, latencyStats, percentile } from '../src/traffic-watch';

describe('latency statistics', () => {
  it('are nearest-rank percentiles', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1); // 1..100
    expect(percentile(values, 0.5)).toBe(50);
    expect(percentile(values, 0.99)).toBe(99);
    expect(percentile([7], 0.99)).toBe(7);
    expect(latencyStats([30, 10, 20, 1_000])).toEqual({ count: 4, p50: 20, p99: 1_000, max: 1_000 });
    expect(latencyStats([])).toBeNull();
  });
});

describe('deadLetterRecordId', () => {
  it('is the original key, else the recordId inside the original Avro or JSON record', () => {
    expect(deadLetterRecordId(Buffer.from('p-7'), Buffer.from('x'))).toBe('p-7');
    const record = { recordId: 'p-8', source: 's', observedAt: 0, features: {} };
    expect(deadLetterRecordId(null, encodeTrafficRecord('json', record))).toBe('p-8');
    expect(deadLetterRecordId(null, encodeTrafficRecord('avro-map', record))).toBe('p-8');
    const dense = { features: ['x'], featureSet: 'fs1:0123456789abcdef' };
    expect(deadLetterRecordId(null, encodeTrafficRecord('avro', record, dense))).toBe('p-8');
    expect(deadLetterRecordId(null, Buffer.from('not json'))).toBeNull();
    const otherTopic = ContractRegistry.bundled().encode('traffic.dlq', sampleEvent('traffic.dlq'));
    expect(deadLetterRecordId(null, otherTopic)).toBeNull();
  });
});
