import { describe, expect, it } from 'vitest';
import { fieldNameFor } from './field-names';
import { assertHeader, checkHeader } from './header';
import { parseDatasetSchema } from './schema-parser';
import { checkCell, columnCheck, isPositiveLabel } from './values';

const schema = parseDatasetSchema(`format: netsentry/dataset-schema@1
name: tiny
target: { column: label, negative: [normal] }
drop: [difficulty]
columns:
  bytes: { type: numeric, integer: true, min: 0 }
  rate: { type: numeric, min: 0, max: 1, nullable: false }
  code: { type: numeric, values: [-1, 0, 1] }
  proto: { type: categorical, values: [tcp, udp], unknown: reject }
  service: { type: categorical, values: [http, ftp] }
  flag: { type: binary, values: [-1, 1] }
  label: { type: categorical }
`);
const col = (name: string) => schema.columns.find((c) => c.name === name)!;

describe('checkCell', () => {
  it('reads numbers, missing markers and listed values', () => {
    expect(checkCell(schema, col('bytes'), ' 491 ')).toEqual({ ok: true, value: 491 });
    expect(checkCell(schema, col('bytes'), 'na')).toEqual({ ok: true, value: null });
    expect(checkCell(schema, col('bytes'), '')).toEqual({ ok: true, value: null });
    expect(checkCell(schema, col('code'), '-1')).toEqual({ ok: true, value: -1 });
    expect(checkCell(schema, col('flag'), '1.0')).toEqual({ ok: true, value: '1' });
    expect(checkCell(schema, col('proto'), 'udp')).toEqual({ ok: true, value: 'udp' });
  });

  it('says why a cell is rejected', () => {
    expect(checkCell(schema, col('rate'), 'na')).toEqual({ ok: false, reason: 'rate is missing' });
    expect(checkCell(schema, col('rate'), '1.5')).toEqual({ ok: false, reason: 'rate: 1.5 > max 1' });
    expect(checkCell(schema, col('bytes'), '-3')).toEqual({ ok: false, reason: 'bytes: -3 < min 0' });
    expect(checkCell(schema, col('bytes'), '2.5')).toEqual({
      ok: false,
      reason: 'bytes: 2.5 is not an integer',
    });
    expect(checkCell(schema, col('bytes'), 'abc')).toEqual({
      ok: false,
      reason: "bytes: 'abc' is not a number",
    });
    expect(checkCell(schema, col('code'), '2')).toEqual({ ok: false, reason: 'code: 2 not in {-1, 0, 1}' });
    expect(checkCell(schema, col('flag'), '0')).toEqual({ ok: false, reason: "flag: '0' not in {-1, 1}" });
    expect(checkCell(schema, col('proto'), 'sctp')).toEqual({
      ok: false,
      reason: "proto: 'sctp' is not a known category",
    });
  });

  it('lets an unseen category of an open column through for the unknown bucket', () => {
    expect(checkCell(schema, col('service'), 'gopher')).toEqual({ ok: true, value: 'gopher' });
  });
});

describe('columnCheck', () => {
  const check = (name: string, value: unknown) => columnCheck(schema, col(name))(value);

  it('takes typed values (numbers from Avro or JSON) as well as text, with the same verdicts', () => {
    expect(check('bytes', 491)).toEqual({ ok: true, value: 491 });
    expect(check('bytes', null)).toEqual({ ok: true, value: null });
    expect(check('code', -1)).toEqual({ ok: true, value: -1 });
    expect(check('flag', 1)).toEqual({ ok: true, value: '1' });
    expect(check('flag', '1.0')).toEqual({ ok: true, value: '1' });
    expect(check('service', 'gopher')).toEqual({ ok: true, value: 'gopher' });
  });

  it('names the kind of problem with a code', () => {
    expect(check('rate', null)).toMatchObject({ ok: false, code: 'NULL_NOT_ALLOWED' });
    expect(check('bytes', 'abc')).toMatchObject({ ok: false, code: 'WRONG_TYPE' });
    expect(check('bytes', true)).toMatchObject({ ok: false, code: 'WRONG_TYPE' });
    expect(check('bytes', 2.5)).toMatchObject({ ok: false, code: 'WRONG_TYPE' });
    expect(check('bytes', '-Infinity')).toMatchObject({ ok: false, code: 'NOT_FINITE' });
    // NaN is one of the default missing markers: a missing value, not an error.
    expect(check('bytes', 'NaN')).toEqual({ ok: true, value: null });
    expect(check('bytes', Number.POSITIVE_INFINITY)).toMatchObject({ ok: false, code: 'NOT_FINITE' });
    expect(check('bytes', '1e999')).toMatchObject({ ok: false, code: 'NOT_FINITE' });
    expect(check('rate', 1.5)).toMatchObject({
      ok: false,
      code: 'OUT_OF_RANGE',
      reason: 'rate: 1.5 > max 1',
    });
    expect(check('code', 2)).toMatchObject({ ok: false, code: 'NOT_ALLOWED' });
    expect(check('flag', 0)).toMatchObject({ ok: false, code: 'NOT_ALLOWED' });
    expect(check('proto', 'sctp')).toMatchObject({ ok: false, code: 'NOT_ALLOWED' });
    expect(check('proto', { a: 1 })).toMatchObject({ ok: false, code: 'WRONG_TYPE' });
  });
});

describe('isPositiveLabel', () => {
  it('treats every label but the negative ones as positive, unseen attacks included', () => {
    expect(isPositiveLabel(schema, 'normal')).toBe(false);
    expect(isPositiveLabel(schema, 'neptune')).toBe(true);
    expect(isPositiveLabel(schema, 'never-seen-attack')).toBe(true);
  });
});

describe('checkHeader', () => {
  const header = ['bytes', 'rate', 'code', 'proto', 'service', 'flag', 'label'];

  it('accepts the declared columns in any order, with or without dropped ones', () => {
    expect(checkHeader(schema, [...header].reverse()).ok).toBe(true);
    expect(checkHeader(schema, [...header, 'difficulty']).ok).toBe(true);
  });

  it('names missing, unexpected and duplicated columns', () => {
    const check = checkHeader(schema, ['bytes', 'bytes', 'rate', 'extra', 'label']);
    expect(check).toEqual({
      ok: false,
      missing: ['code', 'proto', 'service', 'flag'],
      unexpected: ['extra'],
      duplicated: ['bytes'],
    });
    expect(() => assertHeader(schema, ['bytes', 'extra'])).toThrow(
      "the file does not match dataset schema 'tiny': missing columns: rate, code, proto, service, flag, label; unexpected columns: extra",
    );
  });
});

describe('fieldNameFor', () => {
  it('maps real column names to valid Avro field names', () => {
    expect(fieldNameFor('Flow Bytes/s')).toBe('Flow_Bytes_s');
    expect(fieldNameFor(' Fwd Pkt Len.Max ')).toBe('Fwd_Pkt_Len_Max');
    expect(fieldNameFor('1st packet')).toBe('_1st_packet');
    expect(fieldNameFor('///')).toBe('column');
  });
});
