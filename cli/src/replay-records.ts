import { ContractRegistry, rootEnvelope, type TrafficRecord } from '@netsentry/contracts';
import {
  HeaderMismatchError,
  columnCheck,
  featureOrder,
  featureSetId,
  readNumber,
  type ColumnCheck,
  type ColumnSpec,
  type DatasetSchema,
} from '@netsentry/dataset';

/**
 * How `netsentry replay` writes a record. `avro`: traffic.records v2 in the dense form (values in the schema's feature order, named by its feature
 * set id; the default: several times cheaper to decode); `avro-map`: the v1 map form (features by name, for
 * an inference older than v2); `json`: a JSON object with the features by name.
 */
export type ReplayFormat = 'avro' | 'avro-map' | 'json';
export const REPLAY_FORMATS: readonly ReplayFormat[] = ['avro', 'avro-map', 'json'];

export type FeatureValue = number | string | null;
export type Features = Record<string, FeatureValue>;

/** One CSV row mapped to what the inference service expects, or why it is not sent. */
export type MappedRow =
  | { readonly ok: true; readonly features: Features }
  | { readonly ok: false; readonly problems: readonly RowProblem[] };

export interface RowProblem {
  /** Groups skipped rows in the summary: `FIELD_COUNT`, or the column check's code and column. */
  readonly key: string;
  readonly reason: string;
}

export interface HeaderFit {
  readonly ok: boolean;
  /** Feature columns the file lacks. */
  readonly missing: readonly string[];
  /** File columns that are neither features, the target nor dropped by the schema. */
  readonly unexpected: readonly string[];
  readonly duplicated: readonly string[];
}

/**
 * Whether a file header can be replayed under the schema: every feature column exactly once; the target
 * and the schema's dropped columns may be there (they are not sent) or not (unlabelled live captures).
 * Anything else is refused: the service would dead-letter it as UNEXPECTED_FEATURE, and a wrong file
 * should fail before anything is sent.
 */
export function headerFit(schema: DatasetSchema, header: readonly string[]): HeaderFit {
  const names = header.map((h) => h.trim());
  const seen = new Set<string>();
  const duplicated = new Set<string>();
  for (const n of names) (seen.has(n) ? duplicated : seen).add(n);
  const features = new Set(schema.features.map((c) => c.name));
  const ignored = new Set([schema.target.column, ...schema.drop]);
  const missing = [...features].filter((n) => !seen.has(n));
  const unexpected = [...seen].filter((n) => !features.has(n) && !ignored.has(n));
  return {
    ok: missing.length === 0 && unexpected.length === 0 && duplicated.size === 0,
    missing,
    unexpected,
    duplicated: [...duplicated],
  };
}

/** What to do with a row that does not fit the schema: skip it (counted), or send it as read. */
export type InvalidRows = 'skip' | 'send';

/**
 * Compiles the mapping of a file's rows to the features of a live record, once per file: only the
 * schema's feature columns, keyed by their original names (the target and dropped columns are left out),
 * each through the schema's own column check, so numeric values are numbers, binary and categorical ones
 * the listed spelling as a string, and the schema's missing tokens null. A row that fails a check is
 * refused with every problem (`invalid: 'skip'`), or sent with its cells as read — a number where a
 * numeric cell reads as one, else the trimmed text, missing tokens null — for the service to dead-letter
 * (`invalid: 'send'`). A row with the wrong number of fields is always refused.
 * Throws a HeaderMismatchError when the header does not fit (see `headerFit`).
 */
export function rowMapper(
  schema: DatasetSchema,
  header: readonly string[],
  invalid: InvalidRows = 'skip',
): (cells: readonly string[]) => MappedRow {
  const fit = headerFit(schema, header);
  if (!fit.ok) throw new HeaderMismatchError(schema.name, fit.missing, fit.unexpected, fit.duplicated);
  const names = header.map((h) => h.trim());
  const width = names.length;
  const columns: { spec: ColumnSpec; index: number; check: ColumnCheck }[] = schema.features.map((spec) => ({
    spec,
    index: names.indexOf(spec.name),
    check: columnCheck(schema, spec),
  }));
  const missing = new Set(schema.missing);
  const asRead = (spec: ColumnSpec, raw: string): FeatureValue => {
    const text = raw.trim();
    if (missing.has(text)) return null;
    if (spec.type === 'numeric') return readNumber(text) ?? text;
    return text;
  };
  return (cells) => {
    if (cells.length !== width) {
      return {
        ok: false,
        problems: [{ key: 'FIELD_COUNT', reason: `expected ${width} fields, found ${cells.length}` }],
      };
    }
    const features: Features = {};
    let problems: RowProblem[] | undefined;
    for (const { spec, index, check } of columns) {
      const raw = cells[index]!;
      const result = check(raw);
      if (result.ok) {
        features[spec.name] = result.value;
      } else if (invalid === 'send') {
        features[spec.name] = asRead(spec, raw);
      } else {
        (problems ??= []).push({ key: `${result.code} ${spec.name}`, reason: result.reason });
      }
    }
    return problems === undefined ? { ok: true, features } : { ok: false, problems };
  };
}

/** A record id: `<prefix>-<line>`, the line being the row's 1-based line in the file (the header is 1). */
export function replayRecordId(prefix: string, line: number): string {
  return `${prefix}-${line}`;
}

/** The id prefix of a replay started at `now`: `replay-<epoch ms>`, unique per millisecond. */
export function defaultIdPrefix(now: number = Date.now()): string {
  return `replay-${now}`;
}

const ID_PREFIX = /^[A-Za-z0-9._:-]+$/;

/** Refuses an id prefix that cannot be told apart in a record id or shown on one line. */
export function checkIdPrefix(prefix: string): string {
  if (!ID_PREFIX.test(prefix)) {
    throw new RangeError(`id prefix '${prefix}' must be letters, digits, '.', '_', ':' or '-'`);
  }
  return prefix;
}

/** The line a replayed record id names, or null when it is not `<prefix>-<line>`. */
export function lineOfRecordId(prefix: string, recordId: string): number | null {
  if (!recordId.startsWith(`${prefix}-`)) return null;
  const rest = recordId.slice(prefix.length + 1);
  return /^[1-9]\d*$/.test(rest) ? Number(rest) : null;
}

const contracts = ContractRegistry.bundled();
const PRODUCER = { service: 'cli', version: '0.1.0' };

/** The dense form's column order for one schema: its feature names and their feature set id. */
export interface DenseOrder {
  readonly features: readonly string[];
  readonly featureSet: string;
}

/** The dense order of a schema (`featureOrder` / `featureSetId` of @netsentry/dataset). */
export function denseOrder(schema: DatasetSchema): DenseOrder {
  const features = featureOrder(schema);
  return { features, featureSet: featureSetId(features) };
}

/**
 * The message value of one live record. Avro: the contracts' `TrafficRecord` as a single-object message
 * (marker C3 01, fingerprint, body) with a root envelope — the dense form (`avro`, values in `order`) or
 * the v1 map form (`avro-map`, written with the v1 schema so an older inference reads it too). JSON:
 * `{"recordId","source","observedAt" (ISO 8601),"features":{…}}`, which the service reads as well.
 */
export function encodeTrafficRecord(
  format: ReplayFormat,
  record: { recordId: string; source: string; observedAt: number; features: Features },
  order?: DenseOrder,
): Buffer {
  if (format === 'avro' || format === 'avro-map') {
    const dense = format === 'avro';
    if (dense && order === undefined) throw new TypeError('the dense form needs the feature order');
    const event: TrafficRecord = {
      envelope: rootEnvelope('traffic.records', { producer: PRODUCER, occurredAt: record.observedAt }),
      recordId: record.recordId,
      source: record.source,
      observedAt: record.observedAt,
      features: dense ? {} : record.features,
      featureSet: dense ? order!.featureSet : null,
      values: dense ? order!.features.map((name) => record.features[name] ?? null) : [],
    };
    return dense
      ? contracts.encode('traffic.records', event)
      : contracts.encode('traffic.records', event, { version: 1 });
  }
  return Buffer.from(
    JSON.stringify({
      recordId: record.recordId,
      source: record.source,
      observedAt: new Date(record.observedAt).toISOString(),
      features: record.features,
    }),
    'utf8',
  );
}
