import { EngineError } from '../engines/engine';

/**
 * A tiny reader for all-numeric CSV (benchmarks and tests; the pipeline's real loader lives elsewhere):
 * header names may be quoted, empty cells and `na`/`nan` read as NaN. Returns the matrix row-major.
 */
export interface NumericCsv {
  readonly header: string[];
  readonly rows: number;
  readonly cols: number;
  readonly data: Float64Array;
}

export function readNumericCsv(text: string): NumericCsv {
  const lines = text.split(/\r?\n/).filter((l) => l.length > 0);
  const first = lines[0];
  if (first === undefined) throw new EngineError('INVALID_INPUT', 'empty CSV');
  const header = first.split(',').map((h) => h.trim().replace(/^"(.*)"$/, '$1'));
  const cols = header.length;
  const rows = lines.length - 1;
  const data = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const cells = lines[r + 1]!.split(',');
    if (cells.length !== cols) {
      throw new EngineError('INVALID_INPUT', `CSV line ${r + 2} has ${cells.length} cells, expected ${cols}`);
    }
    for (let c = 0; c < cols; c++) {
      const cell = cells[c]!.trim().replace(/^"(.*)"$/, '$1');
      const v = cell === '' || /^(na|nan)$/i.test(cell) ? Number.NaN : Number(cell);
      if (Number.isNaN(v) && cell !== '' && !/^(na|nan)$/i.test(cell)) {
        throw new EngineError(
          'INVALID_INPUT',
          `CSV line ${r + 2}, column ${header[c]}: '${cell}' is not a number`,
        );
      }
      data[r * cols + c] = v;
    }
  }
  return { header, rows, cols, data };
}

/** Splits off one column as 0/1 labels (positive where the column equals `positive`); features stay row-major. */
export function splitTarget(
  csv: NumericCsv,
  target: string,
  positive: number,
): { X: Float64Array; y: Uint8Array; rows: number; cols: number; features: string[] } {
  const t = csv.header.indexOf(target);
  if (t < 0) throw new EngineError('INVALID_INPUT', `no target column '${target}'`);
  const cols = csv.cols - 1;
  const X = new Float64Array(csv.rows * cols);
  const y = new Uint8Array(csv.rows);
  for (let r = 0; r < csv.rows; r++) {
    for (let c = 0, k = 0; c < csv.cols; c++) {
      const v = csv.data[r * csv.cols + c]!;
      if (c === t) y[r] = v === positive ? 1 : 0;
      else X[r * cols + k++] = v;
    }
  }
  return { X, y, rows: csv.rows, cols, features: csv.header.filter((_, i) => i !== t) };
}
