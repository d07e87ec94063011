import { featureSetId, parseDatasetSchema } from '@netsentry/dataset';
import { describe, expect, it } from 'vitest';
import { RecordChecker } from './record-checker';

const schema = parseDatasetSchema(`format: netsentry/dataset-schema@1
name: flows
target: { column: label, negative: [normal] }
drop: [difficulty]
columns:
  Flow Bytes/s: { type: numeric, min: 0 }
  protocol: { type: categorical, values: [tcp, udp], unknown: reject }
  service: { type: categorical, values: [http, ftp] }
  label: { type: categorical }
`);

describe('RecordChecker', () => {
  const checker = new RecordChecker(schema, { ignoredFlatKeys: ['@timestamp', 'host'] });

  it('writes accepted records into one frame, typed by column, missing as NaN / null', () => {
    const frame = checker.frame(3);
    expect(
      checker.append({ 'Flow Bytes/s': 1532.5, protocol: 'tcp', service: 'gopher' }, false, frame),
    ).toBeNull();
    expect(checker.append({ 'Flow Bytes/s': '7', protocol: 'udp', service: null }, false, frame)).toBeNull();
    expect(
      checker.append({ 'Flow Bytes/s': null, protocol: 'tcp', service: 'http', label: 'x' }, false, frame),
    ).toBeNull();
    const f = frame.frame();
    expect(f.rows).toBe(3);
    expect(Array.from(f.columns[0]!.values as Float64Array)).toEqual([1532.5, 7, Number.NaN]);
    expect(f.columns[2]!.values).toEqual(['gopher', null, 'http']);
  });

  it('refuses missing and unexpected features, and values the schema forbids, without writing them', () => {
    const frame = checker.frame(4);
    expect(checker.append({ 'Flow Bytes/s': 1, protocol: 'tcp' }, false, frame)).toMatchObject({
      code: 'MISSING_FEATURE',
      reason: "missing feature 'service'",
    });
    expect(
      checker.append({ 'Flow Bytes/s': 1, protocol: 'tcp', service: 'http', port: 80 }, false, frame),
    ).toMatchObject({
      code: 'UNEXPECTED_FEATURE',
    });
    expect(
      checker.append({ 'Flow Bytes/s': -1, protocol: 'tcp', service: 'http' }, false, frame),
    ).toMatchObject({
      code: 'OUT_OF_RANGE',
    });
    expect(
      checker.append({ 'Flow Bytes/s': 1, protocol: 'sctp', service: 'http' }, false, frame),
    ).toMatchObject({
      code: 'NOT_ALLOWED',
    });
    expect(frame.rows).toBe(0);
  });

  it('checks the dense form like the map form, refusing another order or another count', () => {
    expect(checker.featureSet).toBe(featureSetId(['Flow Bytes/s', 'protocol', 'service']));
    const frame = checker.frame(4);
    expect(checker.appendDense(checker.featureSet, [1532.5, 'tcp', 'gopher'], frame)).toBeNull();
    expect(checker.appendDense(checker.featureSet, ['7', 'udp', null], frame)).toBeNull();
    const reversed = featureSetId(['service', 'protocol', 'Flow Bytes/s']);
    expect(checker.appendDense(reversed, ['gopher', 'tcp', 1], frame)).toMatchObject({
      code: 'UNKNOWN_FEATURE_SET',
    });
    expect(checker.appendDense(checker.featureSet, [1, 'tcp'], frame)).toMatchObject({
      code: 'WRONG_VALUE_COUNT',
      reason: "2 values for the 3 features of 'flows'",
    });
    expect(checker.appendDense(checker.featureSet, [1, 'sctp', 'http'], frame)).toMatchObject({
      code: 'NOT_ALLOWED',
    });
    const f = frame.frame();
    expect(f.rows).toBe(2);
    expect(Array.from(f.columns[0]!.values as Float64Array)).toEqual([1532.5, 7]);
    expect(f.columns[2]!.values).toEqual(['gopher', null]);
  });

  it("ignores a log shipper's keys only in flat JSON", () => {
    const frame = checker.frame(2);
    const record = { 'Flow Bytes/s': 1, protocol: 'tcp', service: 'http', host: 'edge-1' };
    expect(checker.append(record, true, frame)).toBeNull();
    expect(checker.append(record, false, frame)).toMatchObject({ code: 'UNEXPECTED_FEATURE' });
  });
});
