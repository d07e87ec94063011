import { Injectable } from '@nestjs/common';
import { ModelHolder, type LoadedModel } from '../model/model-holder';
import { scoreRecords, verdict } from './score-records';
import { NoModelError, type ScoredRows, type Scorer, type ServedModel } from './scorer.port';

/**
 * The Scorer port for POST /predict and the analyst page: the same served model, record checks and scoring
 * path as the stream, for rows given over HTTP (flat objects keyed by column name, optional `recordId`).
 */
@Injectable()
export class HttpScorer implements Scorer {
  constructor(private readonly models: ModelHolder) {}

  served(): ServedModel | null {
    const m = this.models.current;
    return m === null ? null : servedOf(m);
  }

  scoreRows(rows: readonly Readonly<Record<string, unknown>>[]): ScoredRows {
    const model = this.models.current;
    if (model === null) throw new NoModelError();
    const ids: string[] = [];
    const records = rows.map((row, index) => {
      const { recordId, source: _source, ...features } = row;
      ids.push(
        typeof recordId === 'string' || typeof recordId === 'number' ? String(recordId) : String(index + 1),
      );
      return { features, flat: true };
    });
    const scored = scoreRecords(model, records);
    return {
      model: servedOf(model),
      predictions: scored.accepted.map((row, k) => ({
        row,
        recordId: ids[row]!,
        score: scored.scores[k]!,
        ...verdict(model, scored.scores[k]!),
      })),
      rejected: scored.rejected.map((r) => ({
        row: r.index,
        recordId: ids[r.index]!,
        code: r.code,
        reason: r.reason,
      })),
      scoringMs: scored.scoringSeconds * 1000,
    };
  }
}

function servedOf(m: LoadedModel): ServedModel {
  return {
    version: m.version,
    dataset: m.dataset,
    features: m.features,
    featureSet: m.featureSet,
    threshold: m.threshold,
    labels: m.labels,
  };
}
