import { CsvError, parse } from 'csv-parse/sync';

/** A row as the Scorer takes it: the dataset's column names → values, plus optional `recordId`/`source`. */
export type InputRow = Readonly<Record<string, unknown>>;

/** The rows of one request, and its column names in first-seen order (for echoing them back). */
export interface PredictInput {
  readonly rows: readonly InputRow[];
  /** Keys of the rows (CSV header order, or first-seen order in JSON), without `recordId` and `source`. */
  readonly columns: readonly string[];
}

export type PredictInputErrorCode =
  | 'EMPTY_BODY'
  | 'MALFORMED_JSON'
  | 'MALFORMED_CSV'
  | 'NO_ROWS'
  | 'TOO_MANY_ROWS'
  | 'BODY_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'BAD_UPLOAD'
  | 'BAD_QUERY';

const STATUS: Readonly<Record<PredictInputErrorCode, number>> = {
  EMPTY_BODY: 400,
  MALFORMED_JSON: 400,
  MALFORMED_CSV: 400,
  NO_ROWS: 400,
  BAD_UPLOAD: 400,
  BAD_QUERY: 400,
  TOO_MANY_ROWS: 413,
  BODY_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
};

/** A request the HTTP layer refuses before scoring; `status` is the HTTP status it answers with. */
export class PredictInputError extends Error {
  readonly status: number;
  constructor(
    readonly code: PredictInputErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'PredictInputError';
    this.status = STATUS[code];
  }
}

/** Keys of a row that are the record's identity, not features. */
const IDENTITY_KEYS = new Set(['recordId', 'source']);

export function tooManyRows(count: number | string, maxRows: number): PredictInputError {
  return new PredictInputError(
    'TOO_MANY_ROWS',
    `the request holds ${count} rows; at most ${maxRows} are accepted per request (NETSENTRY_PREDICT_MAX_ROWS): split it`,
  );
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function firstSeenColumns(rows: readonly InputRow[]): string[] {
  const seen = new Set<string>();
  for (const row of rows) for (const key of Object.keys(row)) if (!IDENTITY_KEYS.has(key)) seen.add(key);
  return [...seen];
}

/**
 * The rows of a parsed JSON body: an array of row objects, or `{ "records": [...] }`. Values are passed on
 * as they are (the Scorer's record checks judge them); a row that is not an object refuses the request.
 */
export function rowsFromJson(body: unknown, maxRows: number): PredictInput {
  const rows: unknown = isPlainObject(body) ? body['records'] : body;
  if (!Array.isArray(rows)) {
    throw new PredictInputError(
      'MALFORMED_JSON',
      'expected an array of row objects or an object { "records": [...] }',
    );
  }
  if (rows.length === 0) throw new PredictInputError('NO_ROWS', 'the request holds no rows');
  if (rows.length > maxRows) throw tooManyRows(rows.length, maxRows);
  const bad = rows.findIndex((r) => !isPlainObject(r));
  if (bad >= 0) {
    const kind = rows[bad] === null ? 'null' : Array.isArray(rows[bad]) ? 'an array' : typeof rows[bad];
    throw new PredictInputError(
      'MALFORMED_JSON',
      `row ${bad} is ${kind}, not an object of column names to values`,
    );
  }
  const objects = rows as InputRow[];
  return { rows: objects, columns: firstSeenColumns(objects) };
}

/**
 * The rows of a CSV with a header line. Cells stay strings, exactly as written (an empty cell is `""`): the
 * Scorer's record checks convert them by the dataset schema, including its missing-value markers, so the
 * HTTP layer guesses no types. Blank lines are skipped; a byte-order mark is dropped.
 */
export function rowsFromCsv(text: string, maxRows: number): PredictInput {
  let header: string[] = [];
  let records: Record<string, string>[];
  try {
    records = parse<Record<string, string>>(text, {
      bom: true,
      skip_empty_lines: true,
      // One past the limit, to tell "too many" without parsing a huge upload to its end.
      to: maxRows + 1,
      columns: (names: string[]) => {
        header = names;
        return names;
      },
    });
  } catch (e) {
    const reason = e instanceof CsvError || e instanceof Error ? e.message : String(e);
    throw new PredictInputError('MALFORMED_CSV', `the CSV cannot be read: ${reason}`);
  }
  if (header.length === 0) throw new PredictInputError('EMPTY_BODY', 'the CSV is empty (no header line)');
  const blank = header.findIndex((h) => h.trim() === '');
  if (blank >= 0) {
    throw new PredictInputError('MALFORMED_CSV', `the CSV header has an empty name in column ${blank + 1}`);
  }
  const dup = header.find((h, i) => header.indexOf(h) !== i);
  if (dup !== undefined) {
    throw new PredictInputError('MALFORMED_CSV', `the CSV header names column '${dup}' twice`);
  }
  if (records.length === 0) {
    throw new PredictInputError('NO_ROWS', 'the CSV has a header line but no rows');
  }
  if (records.length > maxRows) throw tooManyRows(`more than ${maxRows}`, maxRows);
  return { rows: records, columns: header.filter((h) => !IDENTITY_KEYS.has(h)) };
}
