import { ContractRegistry } from '@netsentry/contracts';
import { HeaderMismatchError, featureSetId, parseDatasetSchema } from '@netsentry/dataset';
import { describe, expect, it } from 'vitest';
import {
  checkIdPrefix,
  defaultIdPrefix,
  denseOrder,
  encodeTrafficRecord,
  headerFit,
  lineOfRecordId,
  replayRecordId,
  rowMapper,
} from '../src/replay-records';

// A small schema with every column kind, a nullable column, a dropped id column and a target.
const schema = parseDatasetSchema(`
format: netsentry/dataset-schema@1
name: flows
missing: ['', na, '?']
target:
  column: verdict
  positive: [bad]
  labels: { positive: malicious, negative: benign }
drop: [flow_id]
columns:
  Flow Bytes/s: { type: numeric, min: 0 }
  proto: { type: categorical, values: [tcp, udp], unknown: reject }
  syn: { type: binary, values: [0, 1] }
  ttl: { type: numeric, integer: true, nullable: false }
  verdict: { type: categorical, values: [good, bad] }
`);
const header = ['flow_id', 'Flow Bytes/s', 'proto', 'syn', 'ttl', 'verdict'];

describe('rowMapper', () => {
  it('sends only the feature columns, by their names: numbers as numbers, the rest as strings', () => {
    const map = rowMapper(schema, header);
    expect(map(['f-1', ' 12.5 ', 'tcp', '1', '64', 'bad'])).toEqual({
      ok: true,
      features: { 'Flow Bytes/s': 12.5, proto: 'tcp', syn: '1', ttl: 64 },
    });
  });

  it("turns the schema's missing tokens into null, in numeric and categorical columns alike", () => {
    const map = rowMapper(schema, header);
    expect(map(['f-2', 'na', '?', '', '7', 'good'])).toEqual({
      ok: true,
      features: { 'Flow Bytes/s': null, proto: null, syn: null, ttl: 7 },
    });
  });

  it('refuses a row that fails the checks, with the code and column of each problem', () => {
    const map = rowMapper(schema, header);
    const row = map(['f-3', '-1', 'icmp', '1', '', 'good']);
    expect(row.ok).toBe(false);
    if (row.ok) return;
    expect(row.problems.map((p) => p.key)).toEqual([
      'OUT_OF_RANGE Flow Bytes/s',
      'NOT_ALLOWED proto',
      'NULL_NOT_ALLOWED ttl',
    ]);
    expect(row.problems[0]!.reason).toMatch(/Flow Bytes\/s: -1 < min 0/);
    expect(map(['f-4', '1', 'tcp'])).toEqual({
      ok: false,
      problems: [{ key: 'FIELD_COUNT', reason: 'expected 6 fields, found 3' }],
    });
  });

  it('with invalid rows sent, keeps the cells as read for the service to dead-letter', () => {
    const map = rowMapper(schema, header, 'send');
    expect(map(['f-3', '-1', 'icmp', '1', 'abc', 'good'])).toEqual({
      ok: true,
      features: { 'Flow Bytes/s': -1, proto: 'icmp', syn: '1', ttl: 'abc' },
    });
  });

  it('accepts a file without the label or the dropped columns, in any column order', () => {
    const map = rowMapper(schema, ['ttl', 'syn', 'proto', 'Flow Bytes/s']);
    expect(map(['64', '0', 'udp', '3'])).toEqual({
      ok: true,
      features: { 'Flow Bytes/s': 3, proto: 'udp', syn: '0', ttl: 64 },
    });
  });

  it('refuses a header with a feature missing or a column the schema does not know', () => {
    expect(() => rowMapper(schema, ['Flow Bytes/s', 'proto', 'syn', 'extra', 'verdict'])).toThrow(
      HeaderMismatchError,
    );
    expect(headerFit(schema, ['Flow Bytes/s', 'proto', 'syn', 'extra', 'verdict'])).toEqual({
      ok: false,
      missing: ['ttl'],
      unexpected: ['extra'],
      duplicated: [],
    });
    expect(headerFit(schema, [...header, 'ttl']).duplicated).toEqual(['ttl']);
  });
});

describe('record ids', () => {
  it('are <prefix>-<line>, and the line is read back from them', () => {
    expect(replayRecordId('probe1', 17)).toBe('probe1-17');
    expect(lineOfRecordId('probe1', 'probe1-17')).toBe(17);
    expect(lineOfRecordId('probe1', 'probe11-17')).toBeNull();
    expect(lineOfRecordId('probe1', 'probe1-x')).toBeNull();
  });

  it('default to a prefix of the start time in ms, and refuse prefixes with spaces', () => {
    expect(defaultIdPrefix(1_764_585_600_123)).toBe('replay-1764585600123');
    expect(checkIdPrefix('run.7:a_b-c')).toBe('run.7:a_b-c');
    expect(() => checkIdPrefix('two words')).toThrow(/id prefix/);
    expect(() => checkIdPrefix('')).toThrow(/id prefix/);
  });
});

describe('encodeTrafficRecord', () => {
  const record = {
    recordId: 'p-2',
    source: 'it',
    observedAt: Date.UTC(2026, 11, 1, 10, 0, 0),
    features: { 'Flow Bytes/s': 1.5, proto: 'tcp', syn: null },
  };

  it('writes Avro single-object TrafficRecord v1 that the contracts decode (avro-map)', () => {
    const bytes = encodeTrafficRecord('avro-map', record);
    expect([bytes[0], bytes[1]]).toEqual([0xc3, 0x01]);
    const contracts = ContractRegistry.bundled();
    expect(contracts.describe(bytes)).toMatchObject({ topic: 'traffic.records', version: 1 });
    const event = contracts.decode('traffic.records', bytes);
    expect(event).toMatchObject({
      recordId: 'p-2',
      source: 'it',
      observedAt: record.observedAt,
      features: record.features,
    });
    expect(event.envelope.producer.service).toBe('cli');
  });

  it("writes the dense v2 form by default: the values in the schema's feature order, named by its id", () => {
    const order = denseOrder(schema);
    expect(order.features).toEqual(['Flow Bytes/s', 'proto', 'syn', 'ttl']);
    expect(order.featureSet).toBe(featureSetId(order.features));
    const bytes = encodeTrafficRecord(
      'avro',
      { ...record, features: { ttl: 64, ...record.features } },
      order,
    );
    const contracts = ContractRegistry.bundled();
    expect(contracts.describe(bytes)).toMatchObject({ topic: 'traffic.records', version: 2 });
    const event = contracts.decode('traffic.records', bytes);
    expect(event).toMatchObject({ recordId: 'p-2', features: {}, featureSet: order.featureSet });
    expect(event.values).toEqual([1.5, 'tcp', null, 64]);
    expect(() => encodeTrafficRecord('avro', record)).toThrow(/feature order/);
  });

  it('writes JSON with the observation time in ISO 8601', () => {
    expect(JSON.parse(encodeTrafficRecord('json', record).toString('utf8'))).toEqual({
      recordId: 'p-2',
      source: 'it',
      observedAt: '2026-12-01T10:00:00.000Z',
      features: record.features,
    });
  });
});
