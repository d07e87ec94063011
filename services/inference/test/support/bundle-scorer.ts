import {
  checkCell,
  featureOrder,
  featureSetId,
  type ColumnSpec,
  type DatasetSchema,
} from '@netsentry/dataset';
import {
  applyPreprocessor,
  asTrainSplit,
  fitPreprocessor,
  openBundle,
  toySchema,
  toyTask,
  trainRandomForest,
  type Column,
  type Frame,
  type OpenBundle,
} from '@netsentry/ml';
import { trainedBundle } from '@netsentry/ml/testing';
import {
  NoModelError,
  type RowPrediction,
  type RowRejection,
  type ScoredRows,
  type Scorer,
  type ServedModel,
} from '../../src/scoring/scorer.port';

/**
 * A real Scorer for the HTTP tests: a model bundle scoring through `scoreFrame`, with record checks by the
 * dataset schema (`checkCell` for text cells). It stands in for the service's own Scorer, which the HTTP
 * layer only knows through the port.
 */
export class BundleScorer implements Scorer {
  private current: { readonly bundle: OpenBundle; readonly model: ServedModel } | null = null;

  constructor(private readonly schema: DatasetSchema) {}

  serve(bundle: OpenBundle, version: string): void {
    this.current = {
      bundle,
      model: {
        version,
        dataset: bundle.bundle.dataset.name,
        features: featureOrder(this.schema),
        featureSet: featureSetId(featureOrder(this.schema)),
        threshold: bundle.bundle.threshold,
        labels: bundle.bundle.classLabels,
      },
    };
  }

  unload(): void {
    this.current = null;
  }

  served(): ServedModel | null {
    return this.current?.model ?? null;
  }

  scoreRows(rows: readonly Readonly<Record<string, unknown>>[]): ScoredRows {
    const current = this.current;
    if (current === null) throw new NoModelError();
    const started = performance.now();
    const features = this.schema.features;
    const known = new Set([
      ...features.map((c) => c.name),
      this.schema.target.column,
      ...this.schema.drop,
      'recordId',
      'source',
    ]);
    const values: (number | string | null)[][] = features.map(() => []);
    const accepted: { row: number; recordId: string }[] = [];
    const rejected: RowRejection[] = [];
    rows.forEach((row, i) => {
      const recordId = typeof row['recordId'] === 'string' ? row['recordId'] : `row-${i}`;
      const reject = (code: string, reason: string) => rejected.push({ row: i, recordId, code, reason });
      const unexpected = Object.keys(row).find((k) => !known.has(k));
      if (unexpected !== undefined) return reject('UNEXPECTED_FEATURE', `'${unexpected}' is not a feature`);
      const cells: (number | string | null)[] = [];
      for (const column of features) {
        const cell = this.check(column, row[column.name]);
        if (!cell.ok) return reject(cell.code, cell.reason);
        cells.push(cell.value);
      }
      cells.forEach((v, j) => values[j]!.push(v));
      accepted.push({ row: i, recordId });
    });
    const frame: Frame = {
      rows: accepted.length,
      columns: features.map((c, j): Column =>
        c.type === 'numeric'
          ? {
              kind: 'numeric',
              name: c.name,
              values: Float64Array.from(values[j]!, (v) => (v === null ? NaN : Number(v))),
            }
          : {
              kind: 'categorical',
              name: c.name,
              values: values[j]!.map((v) => (v === null ? null : String(v))),
            },
      ),
    };
    const scores = current.bundle.scoreFrame(frame);
    const { threshold, labels } = current.model;
    const predictions = accepted.map(({ row, recordId }, k): RowPrediction => {
      const score = scores[k]!;
      const isPositive = score >= threshold;
      return { row, recordId, score, isPositive, label: isPositive ? labels.positive : labels.negative };
    });
    return { model: current.model, predictions, rejected, scoringMs: performance.now() - started };
  }

  private check(
    column: ColumnSpec,
    value: unknown,
  ): { ok: true; value: number | string | null } | { ok: false; code: string; reason: string } {
    if (value === undefined)
      return { ok: false, code: 'MISSING_FEATURE', reason: `'${column.name}' is missing` };
    if (value === null) {
      return column.nullable
        ? { ok: true, value: null }
        : { ok: false, code: 'MISSING_FEATURE', reason: `'${column.name}' is null` };
    }
    if (typeof value === 'number') {
      if (!Number.isFinite(value))
        return { ok: false, code: 'NOT_FINITE', reason: `'${column.name}' is not finite` };
      value = String(value);
    }
    if (typeof value !== 'string') {
      return { ok: false, code: 'WRONG_TYPE', reason: `'${column.name}' is a ${typeof value}` };
    }
    const checked = checkCell(this.schema, column, value);
    if (checked.ok) return { ok: true, value: checked.value };
    return {
      ok: false,
      code: column.type === 'numeric' ? 'WRONG_TYPE' : 'NOT_ALLOWED',
      reason: checked.reason,
    };
  }
}

/** A random forest trained on `toyTask`, built into a bundle and opened: the model the tests serve. */
export async function toyBundle(): Promise<OpenBundle> {
  const schema = toySchema();
  const train = toyTask(300, 7);
  const preprocessor = fitPreprocessor(asTrainSplit(train), schema, { imputation: 'median', seed: 1 });
  const X = applyPreprocessor(preprocessor, train.features);
  const model = trainRandomForest(X.X, train.labels, X.rows, X.cols, { trees: 25, seed: 3 });
  try {
    const bundle = trainedBundle({
      model,
      candidate: 'random-forest',
      params: { trees: 25 },
      schema,
      preprocessor,
      train,
      classLabels: { negative: 'normal', positive: 'attack' },
      runId: 'run-http-test',
    });
    return await openBundle(bundle);
  } finally {
    model.free();
  }
}
