import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import { z } from 'zod';
import { DatasetSchemaError, type SchemaProblem } from './errors';
import { fieldNameFor } from './field-names';
import {
  DATASET_SCHEMA_FORMAT,
  type ColumnSpec,
  type DatasetSchema,
  type DatasetSource,
  type TargetSpec,
} from './schema-types';

/** The missing tokens of a schema that lists none. */
export const DEFAULT_MISSING: readonly string[] = ['', 'na', 'NA', 'NaN', 'null', '?'];

const scalar = z.union([z.string(), z.number().finite(), z.boolean()], {
  errorMap: () => ({ message: 'expected a string or a number' }),
});

const common = {
  description: z.string().optional(),
  nullable: z.boolean().optional(),
  field: z.string().optional(),
};

const numericColumn = z
  .object({
    type: z.literal('numeric'),
    min: z.number().finite().optional(),
    max: z.number().finite().optional(),
    integer: z.boolean().optional(),
    values: z.array(z.number().finite()).nonempty().optional(),
    ...common,
  })
  .strict();

const categoricalColumn = z
  .object({
    type: z.literal('categorical'),
    values: z.array(scalar).nonempty().optional(),
    unknown: z.enum(['bucket', 'reject']).optional(),
    max_categories: z.number().int().min(1, { message: 'max_categories must be at least 1' }).optional(),
    min_frequency: z
      .number()
      .positive({ message: 'min_frequency must be positive' })
      .refine((v) => Number.isInteger(v) || v < 1, {
        message: 'min_frequency is a count (a whole number ≥ 1) or a share of the rows (between 0 and 1)',
      })
      .optional(),
    ...common,
  })
  .strict();

const binaryColumn = z
  .object({
    type: z.literal('binary'),
    values: z.array(scalar).length(2, { message: 'a binary column needs exactly two values' }),
    ...common,
  })
  .strict();

const columnSchema = z.discriminatedUnion('type', [numericColumn, categoricalColumn, binaryColumn], {
  errorMap: (issue, ctx) =>
    issue.code === z.ZodIssueCode.invalid_union_discriminator
      ? { message: `type must be one of numeric, categorical, binary` }
      : { message: ctx.defaultError },
});

const fileSchema = z
  .object({
    format: z.literal(DATASET_SCHEMA_FORMAT, {
      errorMap: () => ({ message: `format must be '${DATASET_SCHEMA_FORMAT}'` }),
    }),
    name: z
      .string()
      .regex(
        /^[a-z0-9][a-z0-9_-]*$/,
        'name must be lower-case letters, digits, - or _ (it names topics and keys)',
      ),
    title: z.string().optional(),
    description: z.string().optional(),
    source: z
      .object({
        name: z.string().optional(),
        url: z.string().url().optional(),
        licence: z.string().optional(),
        citation: z.string().optional(),
      })
      .strict()
      .optional(),
    missing: z
      .array(z.string({ invalid_type_error: 'a missing token is a spelling such as na or "?"' }))
      .optional(),
    target: z
      .object({
        column: z.string().min(1),
        positive: z.array(scalar).nonempty().optional(),
        negative: z.array(scalar).nonempty().optional(),
        labels: z
          .object({ positive: z.string().min(1), negative: z.string().min(1) })
          .strict()
          .optional(),
      })
      .strict(),
    drop: z.array(z.string()).optional(),
    columns: z.record(z.string().min(1), columnSchema),
  })
  .strict();

type FileSchema = z.infer<typeof fileSchema>;
type RawColumn = z.infer<typeof columnSchema>;

const asString = (v: string | number | boolean): string => String(v);

/** Declared column names in document order (a JS object would move integer-like keys first). */
function columnOrder(doc: Document): string[] {
  const node = doc.get('columns', true);
  if (!isMap(node)) return [];
  return node.items.map((pair) => (isScalar(pair.key) ? String(pair.key.value) : String(pair.key)));
}

/**
 * The `missing` tokens exactly as written. A plain YAML scalar that YAML reads as something other than a
 * string (`null`, `~`, `1.0`, `true`) stands for its own spelling: the tokens are compared with raw CSV
 * text, and a user who copies the documented default `['', na, NA, NaN, null, '?']` means the text `null`.
 */
function missingSpellings(doc: Document): unknown[] | undefined {
  const node = doc.get('missing', true);
  if (!isSeq(node)) return undefined;
  return node.items.map((item) => {
    if (isScalar(item)) {
      if (typeof item.value === 'string') return item.value;
      if (item.type === 'PLAIN' && typeof item.source === 'string') return item.source;
      if (item.value === null) return '';
      if (typeof item.value === 'number' || typeof item.value === 'boolean') return String(item.value);
    }
    return item; // not a scalar: left for the schema check to refuse
  });
}

/**
 * Unknown keys that are the tail of a value cut at a comma inside a flow-style mapping
 * (`{ type: numeric, description: kept numeric (1, 2, 3) }` reads as the keys `kept numeric (1`, `2` and
 * `3)` without values). Returns a message that says so and how to fix it, or undefined.
 */
function flowCommaHint(
  doc: Document,
  text: string,
  path: readonly (string | number)[],
  keys: readonly string[],
): string | undefined {
  const node: unknown = path.length === 0 ? doc.contents : doc.getIn(path, true);
  if (!isMap(node) || !node.flow) return undefined;
  const pairs = node.items.filter(isPair);
  const keyText = (k: unknown): string => (isScalar(k) ? String(k.value) : String(k));
  const unknown = new Set(keys);
  // The first unknown key without a value, and the pair before it, whose plain value the comma cut.
  const at = pairs.findIndex((p) => unknown.has(keyText(p.key)) && p.value === null);
  if (at < 1) return undefined;
  const cut = pairs[at - 1]!;
  if (!isScalar(cut.value) || cut.value.type !== 'PLAIN' || !cut.value.range) return undefined;
  let end = at;
  while (
    end + 1 < pairs.length &&
    pairs[end + 1]!.value === null &&
    unknown.has(keyText(pairs[end + 1]!.key))
  )
    end++;
  const lastKey = pairs[end]!.key as { range?: [number, number, number] };
  if (!lastKey.range) return undefined;
  const whole = text.slice(cut.value.range[0], lastKey.range[1]).trim();
  const split = pairs.slice(at, end + 1).map((p) => keyText(p.key));
  const pieces = split.map((k) => `'${k}'`);
  const others = keys.filter((k) => !split.includes(k)).map((k) => `'${k}'`);
  const also = others.length > 0 ? `; also unknown: ${others.join(', ')}` : '';
  return (
    `unknown key${pieces.length > 1 ? 's' : ''} ${pieces.join(', ')}: in a flow-style mapping ({ … }) a comma ` +
    `ends an unquoted value, so the value of '${keyText(cut.key)}' was cut at a comma and the rest read as ` +
    `key${pieces.length > 1 ? 's' : ''} without a value; quote the value: ${keyText(cut.key)}: ${JSON.stringify(whole)}${also}`
  );
}

function locate(
  doc: Document,
  counter: LineCounter,
  path: readonly (string | number)[],
): SchemaProblem['line'] {
  // Walk up until a node with a position is found: a missing key is reported at its parent.
  for (let depth = path.length; depth >= 0; depth--) {
    const node: unknown = depth === 0 ? doc.contents : doc.getIn(path.slice(0, depth), true);
    const range = (node as { range?: [number, number, number] } | undefined)?.range;
    if (range) return counter.linePos(range[0]).line;
  }
  return undefined;
}

function toColumn(name: string, raw: RawColumn, problems: SchemaProblem[], path: string): ColumnSpec {
  const base = {
    name,
    field: raw.field ?? fieldNameFor(name),
    nullable: raw.nullable ?? true,
    ...(raw.description !== undefined ? { description: raw.description } : {}),
  };
  switch (raw.type) {
    case 'numeric': {
      if (raw.min !== undefined && raw.max !== undefined && raw.min > raw.max) {
        problems.push({ path, message: `min ${raw.min} is greater than max ${raw.max}` });
      }
      if (raw.values && raw.integer) {
        const fractional = raw.values.filter((v) => !Number.isInteger(v));
        if (fractional.length > 0) {
          problems.push({
            path: `${path}.values`,
            message: `integer column lists non-integers ${fractional.join(', ')}`,
          });
        }
      }
      for (const v of raw.values ?? []) {
        if ((raw.min !== undefined && v < raw.min) || (raw.max !== undefined && v > raw.max)) {
          problems.push({ path: `${path}.values`, message: `value ${v} lies outside [min, max]` });
        }
      }
      return {
        ...base,
        type: 'numeric',
        integer: raw.integer ?? false,
        ...(raw.min !== undefined ? { min: raw.min } : {}),
        ...(raw.max !== undefined ? { max: raw.max } : {}),
        ...(raw.values ? { values: [...new Set(raw.values)] } : {}),
      };
    }
    case 'categorical': {
      const values = raw.values?.map(asString);
      if (values && new Set(values).size !== values.length) {
        problems.push({ path: `${path}.values`, message: 'values are listed more than once' });
      }
      if (raw.unknown === 'reject' && !values) {
        problems.push({ path: `${path}.unknown`, message: 'unknown: reject needs a list of values' });
      }
      return {
        ...base,
        type: 'categorical',
        unknown: raw.unknown ?? 'bucket',
        ...(values ? { values } : {}),
        ...(raw.max_categories !== undefined ? { maxCategories: raw.max_categories } : {}),
        ...(raw.min_frequency !== undefined ? { minFrequency: raw.min_frequency } : {}),
      };
    }
    case 'binary': {
      const [a, b] = raw.values.map(asString) as [string, string];
      if (a === b)
        problems.push({ path: `${path}.values`, message: 'the two values of a binary column must differ' });
      return { ...base, type: 'binary', values: [a, b] };
    }
  }
}

function toTarget(
  raw: FileSchema['target'],
  columns: readonly ColumnSpec[],
  explicitlyNullable: boolean,
  problems: SchemaProblem[],
): TargetSpec {
  const column = columns.find((c) => c.name === raw.column);
  if (!column) {
    problems.push({
      path: 'target.column',
      message: `target column '${raw.column}' is not declared under columns`,
    });
  } else if (column.type === 'numeric') {
    problems.push({
      path: 'target.column',
      message: `target column '${raw.column}' must be binary or categorical`,
    });
  } else if (
    column.type === 'categorical' &&
    (column.maxCategories !== undefined || column.minFrequency !== undefined)
  ) {
    problems.push({
      path: `columns.${raw.column}`,
      message: 'max_categories and min_frequency shape the encoding of features; the target is not encoded',
    });
  } else if (explicitlyNullable) {
    // A record without a label cannot be trained on; labels are never imputed.
    problems.push({
      path: `columns.${raw.column}.nullable`,
      message: 'the target column cannot be nullable',
    });
  }
  if ((raw.positive === undefined) === (raw.negative === undefined)) {
    problems.push({ path: 'target', message: 'give exactly one of target.positive or target.negative' });
  }
  const kind = raw.positive !== undefined ? 'positive' : 'negative';
  const values = (raw.positive ?? raw.negative ?? []).map(asString);
  const allowed = column && column.type !== 'numeric' ? column.values : undefined;
  if (allowed) {
    const unknown = values.filter((v) => !allowed.includes(v));
    if (unknown.length > 0) {
      problems.push({
        path: `target.${kind}`,
        message: `${unknown.join(', ')} not among the target's values`,
      });
    }
    if (column?.type === 'binary' && values.length !== 1) {
      problems.push({ path: `target.${kind}`, message: 'a binary target names exactly one label' });
    }
  }
  return {
    column: raw.column,
    rule: { kind, values },
    labels: raw.labels ?? { positive: 'malicious', negative: 'benign' },
  };
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * Parses and validates a dataset schema file. Every problem found is reported at once, with its YAML
 * line, so an operator fixes a broken file in one pass.
 */
export function parseDatasetSchema(text: string, origin = '<inline>'): DatasetSchema {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length > 0) {
    throw new DatasetSchemaError(
      origin,
      doc.errors.map((e) => {
        const pos = counter.linePos(e.pos[0]);
        return { path: '', message: `YAML syntax: ${e.message}`, line: pos.line, column: pos.col };
      }),
    );
  }
  const js = doc.toJS() as unknown;
  const missing = missingSpellings(doc);
  const input = missing !== undefined && typeof js === 'object' && js !== null ? { ...js, missing } : js;
  const parsed = fileSchema.safeParse(input);
  if (!parsed.success) {
    throw new DatasetSchemaError(
      origin,
      parsed.error.issues.map((issue) => {
        const keys = issue.code === z.ZodIssueCode.unrecognized_keys ? issue.keys : [];
        const message =
          keys.length > 0
            ? (flowCommaHint(doc, text, issue.path, keys) ??
              `unknown key${keys.length > 1 ? 's' : ''} ${keys.map((k) => `'${k}'`).join(', ')}`)
            : issue.message;
        const line = locate(doc, counter, keys.length > 0 ? [...issue.path, keys[0] ?? ''] : issue.path);
        return { path: issue.path.join('.'), message, ...(line !== undefined ? { line } : {}) };
      }),
    );
  }
  const raw = parsed.data;
  const problems: SchemaProblem[] = [];

  const order = columnOrder(doc);
  const columns = order.map((name) => toColumn(name, raw.columns[name]!, problems, `columns.${name}`));
  if (columns.length === 0) problems.push({ path: 'columns', message: 'no columns are declared' });

  const byField = new Map<string, string>();
  for (const c of columns) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(c.field)) {
      problems.push({
        path: `columns.${c.name}.field`,
        message: `'${c.field}' is not a valid Avro field name`,
      });
    }
    const other = byField.get(c.field);
    if (other !== undefined) {
      problems.push({
        path: `columns.${c.name}`,
        message: `field name '${c.field}' is also used by column '${other}': set field: explicitly`,
      });
    }
    byField.set(c.field, c.name);
  }

  const target = toTarget(raw.target, columns, raw.columns[raw.target.column]?.nullable === true, problems);
  const drop = raw.drop ?? [];
  for (const d of drop.filter((d) => raw.columns[d] !== undefined)) {
    problems.push({ path: 'drop', message: `'${d}' is both dropped and declared under columns` });
  }
  if (new Set(drop).size !== drop.length)
    problems.push({ path: 'drop', message: 'a column is dropped twice' });

  if (problems.length > 0) {
    throw new DatasetSchemaError(
      origin,
      problems.map((p) => {
        const line = locate(doc, counter, p.path.length > 0 ? p.path.split('.') : []);
        return line !== undefined ? { ...p, line } : p;
      }),
    );
  }

  const source: DatasetSource | undefined = raw.source;
  return {
    format: DATASET_SCHEMA_FORMAT,
    name: raw.name,
    ...(raw.title !== undefined ? { title: raw.title } : {}),
    ...(raw.description !== undefined ? { description: raw.description } : {}),
    ...(source !== undefined ? { source } : {}),
    missing: raw.missing ?? [...DEFAULT_MISSING],
    target,
    drop,
    columns: columns.map((c) => (c.name === target.column ? { ...c, nullable: false } : c)),
    features: columns.filter((c) => c.name !== target.column),
    sha256: sha256(text),
    origin,
  };
}

/** Reads and parses a schema file; a missing or unreadable file is a `DatasetSchemaError` too. */
export async function loadDatasetSchema(path: string): Promise<DatasetSchema> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new DatasetSchemaError(path, [{ path: '', message: `cannot read the file: ${reason}` }]);
  }
  return parseDatasetSchema(text, path);
}
