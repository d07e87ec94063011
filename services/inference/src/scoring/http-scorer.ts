import { Injectable } from '@nestjs/common';
import { ModelHolder } from '../model/model-holder';
import {
  NoModelError,
  type RowPrediction,
  type RowRejection,
  type ScoredRows,
  type Scorer,
  type ServedModel,
} from './scorer.port';

/**
 * The Scorer port for POST /predict and the analyst page: the same served model, the same record checks and
 * the same scoring path as the stream, for rows given over HTTP (flat objects keyed by column name).
 */
@Injectable()
export class HttpScorer implements Scorer {
  constructor(private readonly models: ModelHolder) {}

  served(): ServedModel | null {
    const m = this.models.current;
    return m === null
      ? null
      : {
          version: m.version,
          dataset: m.dataset,
          features: m.features,
          threshold: m.threshold,
          labels: m.labels,
        };
  }

  scoreRows(rows: readonly Readonly<Record<string, unknown>>[]): ScoredRows {
    const model = this.models.current;
    if (model === null) throw new NoModelError();
    const frame = model.checker.frame(rows.length);
    const accepted: { row: number; recordId: string }[] = [];
    const rejected: RowRejection[] = [];
    rows.forEach((row, index) => {
      const { recordId: rawId, source: _source, ...features } = row;
      const recordId =
        typeof rawId === 'string' || typeof rawId === 'number' ? String(rawId) : String(index + 1);
      const problem = model.checker.append(features, true, frame);
      if (problem === null) accepted.push({ row: index, recordId });
      else rejected.push({ row: index, recordId, code: problem.code, reason: problem.reason });
    });
    const started = process.hrtime.bigint();
    const scores = accepted.length > 0 ? model.scorer.scoreFrame(frame.frame()) : new Float64Array(0);
    const scoringMs = Number(process.hrtime.bigint() - started) / 1e6;
    const predictions: RowPrediction[] = accepted.map((a, k) => {
      const score = scores[k]!;
      const isPositive = score >= model.threshold;
      return {
        row: a.row,
        recordId: a.recordId,
        score,
        label: isPositive ? model.labels.positive : model.labels.negative,
        isPositive,
      };
    });
    const served: ServedModel = {
      version: model.version,
      dataset: model.dataset,
      features: model.features,
      threshold: model.threshold,
      labels: model.labels,
    };
    return { model: served, predictions, rejected, scoringMs };
  }
}
