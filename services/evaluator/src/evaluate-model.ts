import {
  binaryMetrics,
  decideAcceptance,
  EVALUATION_REPORT_FORMAT,
  frameToJson,
  takeRows,
  type AcceptancePolicy,
  type BinaryMetrics,
  type EvaluationReport,
  type Frame,
  type LabelledFrame,
} from '@netsentry/ml';

/** Something that turns raw records into P(positive): an opened bundle, or a bundle scored on a worker pool. */
export interface Scorer {
  /** `part`: which set the frame is (for progress). */
  scoreFrame(frame: Frame, part?: 'test' | 'train'): Float64Array | Promise<Float64Array>;
  readonly bundle: { readonly threshold: number };
}

export interface EvaluateInput {
  readonly runId: string;
  readonly modelVersion: string;
  readonly bundle: { readonly uri: string; readonly sha256: string };
  readonly testSet: { readonly uri: string; readonly sha256: string };
  readonly candidate: Scorer;
  /** The dataset the candidate was trained on: only its own production model is compared. */
  readonly dataset: string;
  /** The production model of that dataset, when there is one. */
  readonly production: { readonly version: string; readonly scorer: Scorer } | null;
  /** Why a production model of the dataset exists but was not compared (said instead of "no production model"). */
  readonly productionNote?: string;
  /** Where the dataset's production alias pointed during this evaluation (null: nothing in production). */
  readonly productionAtEvaluation: string | null;
  readonly train: LabelledFrame;
  readonly test: LabelledFrame;
  readonly policy: AcceptancePolicy;
  readonly sampleCount: number;
  readonly now?: Date;
}

/** `count` row indices spread evenly over `rows` (all rows when there are fewer). */
export function sampleRows(rows: number, count: number): number[] {
  if (rows <= count) return Array.from({ length: rows }, (_, i) => i);
  return Array.from({ length: count }, (_, i) => Math.floor((i * rows) / count));
}

/** Metrics as the events carry them: the rates plus the confusion-matrix counts. */
export function metricsMap(m: BinaryMetrics): Record<string, number> {
  return {
    f1: m.f1,
    precision: m.precision,
    recall: m.recall,
    accuracy: m.accuracy,
    rocAuc: m.rocAuc,
    prAuc: m.prAuc,
    tp: m.confusion.tp,
    fp: m.confusion.fp,
    tn: m.confusion.tn,
    fn: m.confusion.fn,
    rows: m.rows,
  };
}

/**
 * Scores the candidate on train and test and the production model on the same test set, applies the
 * acceptance rule and returns the report (with sample records and the candidate's scores for the pusher).
 */
export async function evaluateModel(input: EvaluateInput): Promise<EvaluationReport> {
  const { candidate, production, train, test, policy } = input;
  // Test and train side by side: on a pool, each keeps a worker busy.
  const [testScores, trainScores] = await Promise.all([
    candidate.scoreFrame(test.features, 'test'),
    candidate.scoreFrame(train.features, 'train'),
  ]);
  const candidateTest = binaryMetrics(test.labels, testScores, candidate.bundle.threshold);
  const candidateTrain = binaryMetrics(train.labels, trainScores, candidate.bundle.threshold);
  let productionTest: BinaryMetrics | null = null;
  let note = input.productionNote;
  if (production) {
    try {
      const scores = await production.scorer.scoreFrame(test.features, 'test');
      productionTest = binaryMetrics(test.labels, scores, production.scorer.bundle.threshold);
    } catch (e) {
      // E.g. the dataset's schema gained a column the production preprocessor never saw.
      note = `production ${production.version} could not score this test set (${(e as Error).message}): not compared, the floors alone decide`;
    }
  }
  const compared =
    production && productionTest ? { version: production.version, test: productionTest } : null;
  const verdict = decideAcceptance({
    candidate: { test: candidateTest, train: candidateTrain },
    production: compared,
    policy,
    // One reason about production, never two that contradict each other.
    withoutProduction: note ?? `no production model for dataset '${input.dataset}': the floors alone decide`,
  });
  const picked = sampleRows(test.features.rows, input.sampleCount);
  const reasons = [...verdict.reasons];
  return {
    format: EVALUATION_REPORT_FORMAT,
    runId: input.runId,
    modelVersion: input.modelVersion,
    bundle: { uri: input.bundle.uri, sha256: input.bundle.sha256 },
    testSet: { uri: input.testSet.uri, sha256: input.testSet.sha256, rows: test.features.rows },
    policy,
    candidate: { test: candidateTest, train: candidateTrain },
    production: compared,
    productionAtEvaluation: input.productionAtEvaluation,
    accepted: verdict.accepted,
    verdict: verdict.accepted ? (compared ? 'BEATS_PRODUCTION' : 'FLOORS_ONLY') : 'REJECTED',
    reasons,
    failed: [...verdict.failed],
    failedChecks: [...verdict.failedChecks],
    samples: {
      records: frameToJson(takeRows(test.features, picked)),
      scores: picked.map((i) => testScores[i]!),
    },
    evaluatedAt: (input.now ?? new Date()).toISOString(),
  };
}
