import { Inject, Injectable, Optional } from '@nestjs/common';
import type { EventByTopic } from '@netsentry/contracts';
import {
  EVALUATION_REPORT_KIND,
  parseBundle,
  parseEvaluationReport,
  readLabelledSplitsWithProgress,
  scoreFrameOnPool,
  type AcceptancePolicy,
  type EvaluationReport,
  type Frame,
  type ModelBundle,
} from '@netsentry/ml';
import { Metrics, Progress } from '@netsentry/observability';
import {
  productionAliasName,
  stageConfig,
  toArtifactRef,
  type ModelRecord,
  type StageConfig,
} from '@netsentry/registry';
import {
  ARTIFACT_STORE,
  emit,
  NonRetryableError,
  RECORD_STORE,
  REGISTRY,
  type StageResult,
} from '@netsentry/runtime';
import { evaluateModel, metricsMap, type Scorer } from './evaluate-model';
import { acceptancePolicyOf, EVALUATOR_SETTINGS, type EvaluatorSettings } from './evaluator.config';
import {
  SCORING_POOL,
  type EvaluateContext,
  type EvaluatorArtifacts,
  type EvaluatorRecords,
  type EvaluatorRegistry,
  type ScoringPool,
} from './evaluator.ports';

const f3 = (x: number): string => x.toFixed(3);

/**
 * model.trained → the candidate and the dataset's production model scored on the held-out test set (and
 * the candidate on train, for the overfitting guard), the acceptance policy applied, the report written →
 * the model accepted (model.accepted) or quarantined with the failed checks as reasons
 * (model.quarantined, the run ended quarantined). A candidate bundle that cannot be loaded is quarantined
 * as SCORING_ERROR. A redelivery re-emits the stored decision; a model gone further emits nothing.
 */
@Injectable()
export class EvaluateCandidate {
  private readonly policy: AcceptancePolicy;
  private readonly sampleCount: number;
  private readonly verdicts: ReturnType<Metrics['counter']> | undefined;
  private readonly scores: ReturnType<Metrics['gauge']> | undefined;

  constructor(
    @Inject(RECORD_STORE) private readonly records: EvaluatorRecords,
    @Inject(ARTIFACT_STORE) private readonly artifacts: EvaluatorArtifacts,
    @Inject(REGISTRY) private readonly registry: EvaluatorRegistry,
    /** Preprocessing and scoring run there, off the event loop (which keeps answering health and metrics). */
    @Inject(SCORING_POOL) private readonly pool: ScoringPool,
    @Inject(EVALUATOR_SETTINGS) settings: EvaluatorSettings,
    @Optional() @Inject(Metrics) private readonly metrics?: Metrics,
  ) {
    this.policy = acceptancePolicyOf(settings);
    this.sampleCount = settings.NETSENTRY_EVALUATOR_SAMPLES;
    this.verdicts = metrics?.counter(
      'netsentry_evaluator_verdicts_total',
      'Candidates evaluated, by verdict (BEATS_PRODUCTION, FLOORS_ONLY, REJECTED, SCORING_ERROR)',
      ['verdict'],
    );
    this.scores = metrics?.gauge(
      'netsentry_evaluator_test_score',
      'Latest held-out test score of the candidate and of the production model, by metric',
      ['model', 'metric'],
    );
  }

  /**
   * A bundle's scorer on the pool: its model loaded and checked in a worker first (a bundle that cannot
   * load fails here), then every frame preprocessed and scored there in chunks, with progress.
   */
  private async poolScorer(bundle: ModelBundle, progress: Progress, name: string): Promise<Scorer> {
    const model = { bytes: Buffer.from(bundle.model.data, 'base64'), preprocessor: bundle.preprocessor };
    await this.pool.score({ model: model.bytes, preprocessor: model.preprocessor, frame: null });
    return {
      bundle,
      scoreFrame: async (frame: Frame, part?: 'test' | 'train') => {
        const phase = progress.phase(`score-${name}${part ? `-${part}` : ''}`, frame.rows);
        try {
          return await scoreFrameOnPool(this.pool, model, frame, { onRows: (d) => phase.update(d) });
        } finally {
          phase.finish();
        }
      },
    };
  }

  /** What the registry keeps as this stage's settings for a run (lineage). */
  private stageSettings(): StageConfig {
    return stageConfig({ policy: this.policy, samples: this.sampleCount });
  }

  async execute(event: EventByTopic['model.trained'], ctx: EvaluateContext): Promise<StageResult> {
    const runId = ctx.envelope.runId ?? 'unknown-run';
    const model = await this.candidateModel(runId, event);

    if (model.status !== 'trained') return this.redelivered(event, model, ctx);

    const progress = new Progress({
      stage: 'evaluator',
      logger: ctx.logger,
      metrics: this.metrics,
      bindings: { runId, version: model.version },
    });
    let candidate: Scorer;
    try {
      candidate = await this.poolScorer(
        parseBundle(await this.artifacts.getBuffer(event.bundle)),
        progress,
        'candidate',
      );
    } catch (e) {
      return this.scoringError(
        event,
        model,
        ctx,
        `candidate bundle could not be loaded: ${(e as Error).message}`,
      );
    }
    const schema = await this.records.requireSchema(event.dataset.schema.sha256);
    const { train, test } = await readLabelledSplitsWithProgress(
      schema,
      event.dataset,
      (ref) => this.artifacts.open(ref),
      progress,
    );
    const production = await this.productionModel(model, event.dataset.datasetName, progress);
    const report = await evaluateModel({
      runId,
      modelVersion: model.version,
      bundle: event.bundle,
      testSet: event.dataset.test,
      candidate,
      dataset: event.dataset.datasetName,
      production: production.model,
      productionAtEvaluation: production.aliasVersion,
      ...(production.note ? { productionNote: production.note } : {}),
      train,
      test,
      policy: this.policy,
      sampleCount: this.sampleCount,
    });

    const reportRef = await this.artifacts.putJson({ runId, kind: EVALUATION_REPORT_KIND, value: report });
    await this.registry.artifacts.record({
      ref: reportRef,
      kind: EVALUATION_REPORT_KIND,
      runId,
      parents: [event.bundle.uri, event.dataset.test.uri],
      producedBy: { stage: 'evaluator', eventId: ctx.envelope.eventId },
    });
    const metric = this.policy.metric;
    this.verdicts?.inc({ verdict: report.verdict });
    this.scores?.set({ model: 'candidate', metric }, report.candidate.test[metric]);
    if (report.production) this.scores?.set({ model: 'production', metric }, report.production.test[metric]);
    ctx.logger.info(
      {
        runId,
        version: model.version,
        verdict: report.verdict,
        [metric]: Number(f3(report.candidate.test[metric])),
        production: report.production?.version ?? null,
        reasons: report.reasons,
      },
      report.accepted ? 'candidate accepted' : 'candidate rejected',
    );
    await this.registry.models.transition(
      model.version,
      ['trained'],
      report.accepted ? 'accepted' : 'quarantined',
      {
        // Why it has its status: every check when accepted, the failed ones when quarantined.
        reasons: [...(report.accepted ? report.reasons : report.failed)],
        testMetrics: metricsMap(report.candidate.test),
      },
    );
    await this.registry.runs.recordStage(runId, 'evaluator', {
      status: report.accepted ? 'succeeded' : 'quarantined',
      eventId: ctx.envelope.eventId,
      detail: `${report.verdict}: ${(report.accepted ? report.reasons : report.failed).join('; ')}`,
      config: this.stageSettings(),
    });
    if (!report.accepted) {
      await this.registry.runs.finishRun(runId, 'quarantined', {
        reason: `model ${model.version} rejected: ${report.failed.join('; ')}`,
      });
    }
    return this.decision(event, report);
  }

  /** The event for a stored report: the same whether computed now or read back on redelivery. */
  private decision(event: EventByTopic['model.trained'], report: EvaluationReport): StageResult {
    const metric = this.policy.metric;
    const common = {
      modelVersion: report.modelVersion,
      bundle: event.bundle,
      metric,
      metrics: metricsMap(report.candidate.test),
      trainMetrics: metricsMap(report.candidate.train),
      comparison: report.production
        ? {
            productionVersion: report.production.version,
            metric,
            candidateScore: report.candidate.test[metric],
            productionScore: report.production.test[metric],
            requiredMargin: report.policy.margin,
            productionMetrics: metricsMap(report.production.test),
          }
        : null,
      reasons: [...report.reasons],
    };
    if (report.accepted) {
      return emit('model.accepted', {
        ...common,
        verdict: report.verdict === 'BEATS_PRODUCTION' ? 'BEATS_PRODUCTION' : 'FLOORS_ONLY',
      });
    }
    return emit('model.quarantined', {
      ...common,
      failedChecks: [...report.failedChecks],
      reasons: [...report.failed],
    });
  }

  /**
   * model.trained again for a model already decided (the trainer or Kafka redelivered it): re-emit the
   * stored decision, never decide twice. If the model has moved on (pushed, or quarantined by the pusher),
   * emit nothing: the later stage owns it now.
   */
  private async redelivered(
    event: EventByTopic['model.trained'],
    model: ModelRecord,
    ctx: EvaluateContext,
  ): Promise<StageResult> {
    const stored = await this.registry.artifacts.latestOfKind(model.runId, EVALUATION_REPORT_KIND);
    const report = stored
      ? parseEvaluationReport(await this.artifacts.getBuffer(toArtifactRef(stored)))
      : null;
    const consistent =
      report !== null &&
      report.modelVersion === model.version &&
      ((model.status === 'accepted' && report.accepted) ||
        (model.status === 'quarantined' && !report.accepted));
    ctx.logger.info(
      { runId: model.runId, version: model.version, status: model.status, reemit: consistent },
      'model already evaluated',
    );
    return consistent ? this.decision(event, report) : undefined;
  }

  private async scoringError(
    event: EventByTopic['model.trained'],
    model: ModelRecord,
    ctx: EvaluateContext,
    reason: string,
  ): Promise<StageResult> {
    ctx.logger.warn({ runId: model.runId, version: model.version, reason }, 'candidate could not be scored');
    this.verdicts?.inc({ verdict: 'SCORING_ERROR' });
    await this.registry.models.transition(model.version, ['trained'], 'quarantined', { reasons: [reason] });
    await this.registry.runs.recordStage(model.runId, 'evaluator', {
      status: 'quarantined',
      eventId: ctx.envelope.eventId,
      detail: `SCORING_ERROR: ${reason}`,
      config: this.stageSettings(),
    });
    await this.registry.runs.finishRun(model.runId, 'quarantined', {
      reason: `model ${model.version}: ${reason}`,
    });
    return emit('model.quarantined', {
      modelVersion: model.version,
      bundle: event.bundle,
      metric: this.policy.metric,
      metrics: {},
      trainMetrics: {},
      comparison: null,
      failedChecks: ['SCORING_ERROR'],
      reasons: [reason],
    });
  }

  /** The registered model of this event: by the version it names (v2), else the run's model with its bundle. */
  private async candidateModel(runId: string, event: EventByTopic['model.trained']): Promise<ModelRecord> {
    const model = event.modelVersion
      ? await this.registry.models.get(event.modelVersion)
      : ((await this.registry.models.list({ runId, limit: 50 })).find(
          (m) => m.bundle.sha256 === event.bundle.sha256,
        ) ?? null);
    if (!model) {
      throw new NonRetryableError(
        `no registered model ${event.modelVersion ?? `for run ${runId} with bundle ${event.bundle.sha256}`}`,
      );
    }
    if (model.bundle.sha256 !== event.bundle.sha256) {
      throw new NonRetryableError(
        `model ${model.version} is registered with bundle ${model.bundle.sha256}, the event names ${event.bundle.sha256}`,
      );
    }
    return model;
  }

  /**
   * The production model of the candidate's dataset, opened — each dataset has its own, and only that one
   * is compared. A bundle of another dataset behind that alias (never written by the pusher) is not
   * compared, with a note saying why.
   */
  private async productionModel(
    candidate: ModelRecord,
    datasetName: string,
    progress: Progress,
  ): Promise<{
    model: { version: string; scorer: Scorer } | null;
    aliasVersion: string | null;
    note?: string;
  }> {
    const alias = await this.registry.aliases.get(productionAliasName(datasetName));
    if (!alias || alias.version === candidate.version)
      return { model: null, aliasVersion: alias?.version ?? null };
    const record = await this.registry.models.get(alias.version);
    if (!record) throw new Error(`${alias.alias} points at ${alias.version}, which is not in the registry`);
    const bundle = parseBundle(await this.artifacts.getBuffer(record.bundle));
    if (bundle.dataset.name !== datasetName) {
      return {
        model: null,
        aliasVersion: alias.version,
        note: `production ${alias.version} of dataset '${datasetName}' is a bundle of dataset '${bundle.dataset.name}': not compared, the floors alone decide`,
      };
    }
    return {
      model: { version: alias.version, scorer: await this.poolScorer(bundle, progress, 'production') },
      aliasVersion: alias.version,
    };
  }
}
