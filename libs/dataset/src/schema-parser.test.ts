import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DatasetSchemaError } from './errors';
import { parseDatasetSchema } from './schema-parser';
import { checkCell } from './values';

const valid = `format: netsentry/dataset-schema@1
name: tiny
target:
  column: verdict
  positive: [bad]
columns:
  Flow Bytes/s: { type: numeric, min: 0 }
  proto: { type: categorical, values: [tcp, udp] }
  verdict: { type: binary, values: [good, bad] }
`;

function problemsOf(text: string): string[] {
  try {
    parseDatasetSchema(text, 'fixture.yaml');
  } catch (err) {
    expect(err).toBeInstanceOf(DatasetSchemaError);
    return (err as DatasetSchemaError).problems.map((p) => `${p.line ?? '?'} ${p.path}: ${p.message}`);
  }
  throw new Error('the schema was accepted');
}

describe('parseDatasetSchema', () => {
  it('parses a valid schema, keeping file order and separating features from the target', () => {
    const schema = parseDatasetSchema(valid);
    expect(schema.columns.map((c) => c.name)).toEqual(['Flow Bytes/s', 'proto', 'verdict']);
    expect(schema.features.map((c) => c.name)).toEqual(['Flow Bytes/s', 'proto']);
    expect(schema.columns[0]).toMatchObject({
      field: 'Flow_Bytes_s',
      type: 'numeric',
      min: 0,
      nullable: true,
    });
    expect(schema.columns[2]).toMatchObject({ nullable: false, values: ['good', 'bad'] });
    expect(schema.target.rule).toEqual({ kind: 'positive', values: ['bad'] });
    expect(schema.missing).toContain('na');
    expect(schema.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('keeps integer-like column names in file order', () => {
    const schema = parseDatasetSchema(valid.replace('proto:', '"7":'));
    expect(schema.columns.map((c) => c.name)).toEqual(['Flow Bytes/s', '7', 'verdict']);
    expect(schema.columns[1]!.field).toBe('_7');
  });

  it('names an unknown key and its line', () => {
    const problems = problemsOf(valid.replace('  proto: { type', '  proto: { typ: categorical, type'));
    expect(problems).toEqual([expect.stringMatching(/^8 columns\.proto: unknown key 'typ'/)]);
  });

  it('names a misspelt column type and its line', () => {
    expect(problemsOf(valid.replace('type: numeric', 'type: nmeric'))).toEqual([
      expect.stringMatching(
        /^7 columns\.Flow Bytes\/s\.type: type must be one of numeric, categorical, binary/,
      ),
    ]);
  });

  it('reports every problem at once', () => {
    const broken = valid
      .replace('format: netsentry/dataset-schema@1', 'format: v0')
      .replace('values: [good, bad]', 'values: [good, bad, ugly]');
    const problems = problemsOf(broken);
    expect(problems).toHaveLength(2);
    expect(problems.join('\n')).toMatch(/format must be 'netsentry\/dataset-schema@1'/);
    expect(problems.join('\n')).toMatch(/exactly two values/);
  });

  it('rejects a target that is not declared, or a positive label outside its values', () => {
    expect(problemsOf(valid.replace('column: verdict', 'column: Result'))).toEqual([
      expect.stringMatching(/target\.column: target column 'Result' is not declared under columns/),
    ]);
    expect(problemsOf(valid.replace('positive: [bad]', 'positive: [evil]'))).toEqual([
      expect.stringMatching(/target\.positive: evil not among the target's values/),
    ]);
    expect(problemsOf(valid.replace('positive: [bad]', 'positive: [bad]\n  negative: [good]'))).toEqual([
      expect.stringMatching(/exactly one of target\.positive or target\.negative/),
    ]);
  });

  it('rejects a numeric or nullable target', () => {
    expect(problemsOf(valid.replace('column: verdict', "column: 'Flow Bytes/s'"))).toContainEqual(
      expect.stringMatching(/must be binary or categorical/),
    );
    expect(
      problemsOf(valid.replace('values: [good, bad] }', 'values: [good, bad], nullable: true }')),
    ).toEqual([expect.stringMatching(/columns\.verdict\.nullable: the target column cannot be nullable/)]);
  });

  it('rejects two columns that map to the same field name', () => {
    const problems = problemsOf(valid.replace('  proto:', '  Flow Bytes_s:'));
    expect(problems).toEqual([
      expect.stringMatching(/field name 'Flow_Bytes_s' is also used by column 'Flow Bytes\/s'/),
    ]);
  });

  it('rejects duplicate keys and YAML syntax errors with their line', () => {
    expect(problemsOf(valid.replace('  verdict:', '  proto: { type: numeric }\n  verdict:'))).toEqual([
      expect.stringMatching(/^9 : YAML syntax: Map keys must be unique/),
    ]);
    expect(problemsOf('format: [unclosed\n')).toEqual([expect.stringMatching(/YAML syntax/)]);
  });

  it('rejects inconsistent ranges and value lists', () => {
    expect(problemsOf(valid.replace('min: 0', 'min: 5, max: 1'))).toEqual([
      expect.stringMatching(/min 5 is greater than max 1/),
    ]);
    expect(problemsOf(valid.replace('min: 0', 'min: 0, values: [-1, 1]'))).toEqual([
      expect.stringMatching(/value -1 lies outside \[min, max\]/),
    ]);
    expect(problemsOf(valid.replace('values: [tcp, udp]', 'values: [tcp, tcp]'))).toEqual([
      expect.stringMatching(/listed more than once/),
    ]);
  });

  it('rejects a column that is both dropped and declared', () => {
    expect(problemsOf(`${valid}drop: [proto]\n`)).toEqual([
      expect.stringMatching(/'proto' is both dropped and declared/),
    ]);
  });

  it('gives the origin in the message', () => {
    expect(() => parseDatasetSchema('name: x', 'data/schemas/x.yaml')).toThrow(
      /invalid dataset schema data\/schemas\/x\.yaml/,
    );
  });
});

describe('a new user copying the documentation', () => {
  it('accepts the example in docs/dataset-schema.md as written, default missing list included', () => {
    const md = readFileSync(resolve(__dirname, '../../../docs/dataset-schema.md'), 'utf8');
    const example = /```yaml\n([\s\S]*?)```/.exec(md)?.[1];
    expect(example).toContain("missing: ['', na, NA, NaN, null, '?']");
    const schema = parseDatasetSchema(example!, 'docs/dataset-schema.md');
    expect(schema.missing).toEqual(['', 'na', 'NA', 'NaN', 'null', '?']);
    expect(schema.columns.map((c) => c.name)).toEqual([
      'URL_Length',
      'Flow Bytes/s',
      'protocol_type',
      'service',
      'Result',
    ]);
  });

  it('reads plain YAML null, ~, numbers and booleans in a missing list as their own spelling', () => {
    const schema = parseDatasetSchema(`${valid}missing: [null, ~, Null, 1.0, -999, true, "", '?']\n`);
    expect(schema.missing).toEqual(['null', '~', 'Null', '1.0', '-999', 'true', '', '?']);
    const flow = schema.columns[0]!;
    expect(checkCell(schema, flow, 'null')).toEqual({ ok: true, value: null });
    expect(checkCell(schema, flow, ' 1.0 ')).toEqual({ ok: true, value: null });
    expect(checkCell(schema, flow, '1')).toEqual({ ok: true, value: 1 });
  });

  it('refuses a missing entry that is not a scalar, saying what is expected', () => {
    expect(problemsOf(`${valid}missing: [na, [x]]\n`)).toEqual([
      expect.stringMatching(/missing\.1: a missing token is a spelling such as na or "\?"/),
    ]);
  });

  it('says that a comma cut an unquoted value in a flow-style mapping, and how to quote it', () => {
    const text = valid.replace(
      'proto: { type: categorical, values: [tcp, udp] }',
      'proto: { type: categorical, description: levels, kept numeric (1, 2, 3), values: [tcp, udp] }',
    );
    const problems = problemsOf(text);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^8 columns\.proto: unknown keys 'kept numeric \(1', '2', '3\)': /);
    expect(problems[0]).toContain('in a flow-style mapping ({ … }) a comma ends an unquoted value');
    expect(problems[0]).toContain(`quote the value: description: "levels, kept numeric (1, 2, 3)"`);
    // Quoted as the message says, the same schema is accepted.
    const fixed = text.replace(
      'description: levels, kept numeric (1, 2, 3),',
      'description: "levels, kept numeric (1, 2, 3)",',
    );
    expect(parseDatasetSchema(fixed).columns[1]!.description).toBe('levels, kept numeric (1, 2, 3)');
  });

  it('still names a plain unknown key next to a cut value', () => {
    const text = valid.replace(
      'proto: { type: categorical, values: [tcp, udp] }',
      'proto: { type: categorical, description: a, b, colour: red, values: [tcp, udp] }',
    );
    const [problem] = problemsOf(text);
    expect(problem).toMatch(/unknown key 'b': in a flow-style mapping .*; also unknown: 'colour'$/);
  });

  it('reads max_categories and min_frequency of a categorical feature, and refuses bad ones', () => {
    const schema = parseDatasetSchema(
      valid.replace(
        'proto: { type: categorical, values: [tcp, udp] }',
        'proto: { type: categorical, max_categories: 20, min_frequency: 0.01 }',
      ),
    );
    expect(schema.features.find((c) => c.name === 'proto')).toMatchObject({
      type: 'categorical',
      maxCategories: 20,
      minFrequency: 0.01,
    });
    const problems = problemsOf(
      valid.replace(
        'proto: { type: categorical, values: [tcp, udp] }',
        'proto: { type: categorical, max_categories: 0, min_frequency: 2.5 }',
      ),
    );
    expect(problems.join('\n')).toMatch(/max_categories must be at least 1/);
    expect(problems.join('\n')).toMatch(/min_frequency is a count .* or a share of the rows/);
    const onTarget = problemsOf(
      valid
        .replace(
          'verdict: { type: binary, values: [good, bad] }',
          'verdict: { type: categorical, max_categories: 3 }',
        )
        .replace('positive: [bad]', 'negative: [good]'),
    );
    expect(onTarget.join('\n')).toMatch(/the target is not encoded/);
  });
});
