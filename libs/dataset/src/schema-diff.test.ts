import { describe, expect, it } from 'vitest';
import { describeSchemaChanges } from './schema-diff';
import { parseDatasetSchema } from './schema-parser';

const base = `format: netsentry/dataset-schema@1
name: tiny
target:
  column: verdict
  positive: [bad]
columns:
  rate: { type: numeric, min: 0, max: 1 }
  proto: { type: categorical, values: [tcp, udp] }
  verdict: { type: binary, values: [good, bad] }
`;

describe('describeSchemaChanges', () => {
  it('names every change in the schema file’s own terms', () => {
    const after = base
      .replace('max: 1', 'max: 2')
      .replace('values: [tcp, udp]', 'values: [tcp, udp, icmp], unknown: reject')
      .replace('  verdict:', '  port: { type: numeric }\n  verdict:')
      .replace('positive: [bad]', 'positive: [bad]\nmissing: [na]');
    expect(describeSchemaChanges(parseDatasetSchema(base), parseDatasetSchema(after))).toEqual([
      'missing: ["","na","NA","NaN","null","?"] → ["na"]',
      'columns added: port',
      'columns.rate.max: 1 → 2',
      'columns.proto.values: ["tcp","udp"] → ["tcp","udp","icmp"]',
      'columns.proto.unknown: "bucket" → "reject"',
    ]);
  });

  it('finds nothing when only comments and layout differ', () => {
    const relaid = `# a comment\n${base.replace('{ type: numeric, min: 0, max: 1 }', '\n    type: numeric\n    min: 0\n    max: 1')}`;
    expect(describeSchemaChanges(parseDatasetSchema(base), parseDatasetSchema(relaid))).toEqual([]);
  });

  it('names removed and reordered columns', () => {
    const after = base.replace('  rate: { type: numeric, min: 0, max: 1 }\n', '');
    expect(describeSchemaChanges(parseDatasetSchema(base), parseDatasetSchema(after))).toEqual([
      'columns removed: rate',
    ]);
    const swapped = base
      .replace('  rate: { type: numeric, min: 0, max: 1 }\n', '')
      .replace('  verdict:', '  rate: { type: numeric, min: 0, max: 1 }\n  verdict:');
    expect(describeSchemaChanges(parseDatasetSchema(base), parseDatasetSchema(swapped))).toEqual([
      'columns reordered',
    ]);
  });
});
