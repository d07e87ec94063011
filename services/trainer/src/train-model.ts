import { Inject, Injectable, Optional } from '@nestjs/common';
import type { ArtifactRef, EventByTopic } from '@netsentry/contracts';
import {
  assertDatasetProfile,
  BUNDLE_MEDIA_TYPE,
  buildBundle,
  decodeMatrix,
  parseBundle,
  parsePreprocessor,
  refit,
  serializeBundle,
  toShared,
  type DatasetProfile,
  type LabelledMatrix,
  type ModelBundle,
} from '@netsentry/ml';
import { Metrics, Progress, type PhaseProgress } from '@netsentry/observability';
import { ARTIFACT_KINDS, stageConfig, toArtifactRef } from '@netsentry/registry';
import {
  ARTIFACT_STORE,
  emit,
  NonRetryableError,
  RECORD_STORE,
  REGISTRY,
  type StageResult,
} from '@netsentry/runtime';
import { randomSearch, type SearchConfig, type SearchResult, type TrialResult } from './search';
import {
  SEARCH_CONFIG,
  TRAINING_POOL,
  type TrainContext,
  type TrainerArtifacts,
  type TrainerRecords,
  type TrainerRegistry,
  type TrainingPool,
} from './trainer.ports';

/** The artifact kind of a run's training-data profile (written by validation). */
const REFERENCE_PROFILE_KIND = ARTIFACT_KINDS.referenceProfile;
export const BUNDLE_KIND = 'model/bundle';

const round = (x: number, digits = 6): number => Number(x.toFixed(digits));

/**
 * How many trials reached each rung, per candidate, e.g. "successive halving: xgboost 9 → 3 → 1 on 1/9 → 1/3
 * → all rows, random-forest 9 → 3 → 1 …", or "no successive halving (every trial on all rows)".
 */
export function halvingDetail(trials: readonly TrialResult[]): string {
  if (trials.every((t) => t.rung.of === 1)) return 'no successive halving (every trial on all rows)';
  const by = new Map<string, TrialResult[]>();
  for (const t of trials) by.set(t.candidate, [...(by.get(t.candidate) ?? []), t]);
  const parts = [...by].map(([candidate, list]) => {
    const of = list[0]!.rung.of;
    const reached = Array.from({ length: of }, (_, r) => list.filter((t) => t.rung.index >= r).length);
    const fractions = Array.from({ length: of }, (_, r) => {
      const f = list.find((t) => t.rung.index === r)?.rung.fraction;
      return f === undefined ? '?' : f === 1 ? 'all rows' : `1/${Math.round(1 / f)}`;
    });
    return `${candidate} ${reached.join(' → ')} on ${fractions.join(' → ')}`;
  });
  return `successive halving: ${parts.join(', ')}`;
}

/** ", search on a stratified sample of 100000 of 400000 rows" when the row cap applied. */
export function searchRowsDetail(searchRows: number, rows: number): string {
  return searchRows < rows ? `, search on a stratified sample of ${searchRows} of ${rows} rows` : '';
}

/** ", budget 300 s reached: …" when the search had a time budget. */
export function budgetDetail(result: Pick<SearchResult, 'budget'>): string {
  const b = result.budget;
  if (!b) return '';
  return b.exhausted
    ? `, budget ${b.seconds} s reached (best so far to all rows; ${b.unscored} trials unscored)`
    : `, within the ${b.seconds} s budget`;
}

/**
 * data.transformed → the hyperparameter search (stratified k-fold CV on the unbalanced train, rebalanced
 * in each fold when transform resampled), every trial recorded, the best configuration refitted on all of
 * train, the model bundle written and registered → model.trained. A redelivery after registration
 * re-emits the same model.trained and trains nothing twice.
 */
@Injectable()
export class TrainModel {
  private readonly trialsCounter: ReturnType<Metrics['counter']> | undefined;
  private readonly cvGauge: ReturnType<Metrics['gauge']> | undefined;

  constructor(
    @Inject(RECORD_STORE) private readonly records: TrainerRecords,
    @Inject(ARTIFACT_STORE) private readonly artifacts: TrainerArtifacts,
    @Inject(REGISTRY) private readonly registry: TrainerRegistry,
    @Inject(TRAINING_POOL) private readonly pool: TrainingPool,
    @Inject(SEARCH_CONFIG) private readonly search: SearchConfig,
    @Optional() @Inject(Metrics) private readonly metrics?: Metrics,
  ) {
    this.trialsCounter = metrics?.counter(
      'netsentry_trainer_trials_total',
      'Hyperparameter-search trials completed (each cross-validated on every fold), by candidate',
      ['candidate'],
    );
    this.cvGauge = metrics?.gauge(
      'netsentry_trainer_best_cv_score',
      "Mean CV score of each candidate's best configuration in the latest search, by candidate",
      ['candidate'],
    );
  }

  async execute(event: EventByTopic['data.transformed'], ctx: TrainContext): Promise<StageResult> {
    const runId = ctx.envelope.runId ?? 'unknown-run';

    // Redelivery after the model was registered: emit the same result again, train nothing twice.
    const existing = (await this.registry.models.list({ runId, limit: 1 }))[0];
    if (existing && (await this.artifacts.exists(existing.bundle))) {
      const bundle = parseBundle(await this.artifacts.getBuffer(existing.bundle));
      ctx.logger.info(
        { runId, version: existing.version },
        'model already trained for this run: re-emitting',
      );
      return this.modelTrained(event, existing.bundle, bundle, existing.version);
    }

    // CV runs on the unbalanced matrix, each fold's training part rebalanced on its own (no synthetic
    // row built from a validation row); the refit below uses the rebalanced train. v1 events and
    // resampling NONE carry no unbalanced matrix: the folds come from train as it is.
    const unbalancedRef = event.unbalancedTrain;
    const resamplingSettings = event.resamplingSettings;
    if (unbalancedRef && !resamplingSettings) {
      throw new NonRetryableError('data.transformed has unbalancedTrain but no resamplingSettings');
    }
    const [train, unbalanced, preprocessorBytes, reference, schema] = await Promise.all([
      this.sharedMatrix(event.train),
      unbalancedRef ? this.sharedMatrix(unbalancedRef) : undefined,
      this.artifacts.getBuffer(event.preprocessor),
      this.referenceProfile(runId),
      this.records.requireSchema(event.dataset.schema.sha256),
    ]);
    let preprocessor;
    try {
      preprocessor = parsePreprocessor(preprocessorBytes.toString('utf8'));
    } catch (e) {
      throw new NonRetryableError(`preprocessor ${event.preprocessor.uri}: ${(e as Error).message}`);
    }
    const outputs = JSON.stringify(preprocessor.outputFeatures);
    if (outputs !== JSON.stringify(train.featureNames)) {
      throw new NonRetryableError("the train matrix's columns differ from the preprocessor's outputs");
    }
    if (unbalanced && outputs !== JSON.stringify(unbalanced.featureNames)) {
      throw new NonRetryableError(
        "the unbalanced train matrix's columns differ from the preprocessor's outputs",
      );
    }
    const cvData = unbalanced ?? train;
    const inFold = unbalanced && resamplingSettings ? resamplingSettings : undefined;
    const cvDescription = inFold
      ? `unbalanced folds with in-fold SMOTE-Tomek (k=${inFold.k}, seed ${inFold.seed})`
      : event.resampling === 'NONE'
        ? 'folds of train (not resampled)'
        : 'folds of train rebalanced before the split';

    const config = this.search;
    const total = config.candidates.reduce((n, c) => n + (c.trials ?? config.trialsPerCandidate), 0);
    ctx.logger.info(
      {
        runId,
        rows: cvData.rows,
        cols: cvData.cols,
        refitRows: train.rows,
        cv: cvDescription,
        candidates: config.candidates.map((c) => c.name),
        trials: total,
        folds: config.folds,
        halving: config.halving ?? 'off',
        maxSearchRows: config.maxSearchRows ?? 'off',
        budgetSeconds: config.budgetSeconds ?? 'off',
        workers: this.pool.size,
      },
      'hyperparameter search started',
    );
    const started = performance.now();
    // In the log every 5 s at most and in netsentry_stage_progress_*: the whole search (trials ended of
    // all), and each candidate's rung (its trials scored there).
    const progress = new Progress({
      stage: 'trainer',
      logger: ctx.logger,
      metrics: this.metrics,
      bindings: { runId },
    });
    const searching = progress.phase('search', total);
    const rungs = new Map<string, PhaseProgress>();
    const result = await randomSearch({
      X: cvData.X,
      y: cvData.y,
      rows: cvData.rows,
      cols: cvData.cols,
      config,
      run: (job) => this.pool.run(job),
      ...(inFold
        ? {
            resampleFolds: {
              k: inFold.k,
              seed: inFold.seed,
              run: (job) => this.pool.resample(job),
            },
          }
        : {}),
      signal: ctx.signal,
      concurrency: this.pool.size,
      onScored: (p) => {
        const name = `search/${p.candidate}/rung-${p.rung + 1}-of-${p.rungs}`;
        let phase = rungs.get(name);
        if (!phase) rungs.set(name, (phase = progress.phase(name, p.total)));
        phase.update(p.done);
        if (p.done === p.total) phase.finish();
      },
      onTrial: async (trial, done) => {
        searching.update(done);
        await this.registry.trials.record({
          runId,
          candidate: trial.candidate,
          trialIndex: trial.trialIndex,
          params: { ...trial.params },
          cvScores: trial.cvScores.map((s) => round(s)),
          meanScore: round(trial.mean),
          durationMs: trial.durationMs,
          rung: { ...trial.rung, fraction: round(trial.rung.fraction) },
          rungScores: trial.history.map((h) => round(h.mean)),
          ...(trial.foldRounds ? { foldRounds: [...trial.foldRounds] } : {}),
        });
        this.trialsCounter?.inc({ candidate: trial.candidate });
        ctx.logger.info(
          {
            runId,
            candidate: trial.candidate,
            trial: trial.trialIndex,
            [config.metric]: round(trial.mean, 4),
            std: round(trial.std, 4),
            rung: `${trial.rung.index + 1}/${trial.rung.of}`,
            trainRows: trial.rung.trainRows,
            ...(trial.foldRounds ? { rounds: trial.foldRounds } : {}),
            ms: trial.durationMs,
            progress: `${done}/${total}`,
          },
          'trial done',
        );
      },
    });
    searching.finish();
    const best = result.best;
    for (const c of result.leaderboard) this.cvGauge?.set({ candidate: c.candidate }, c.cvMean);
    ctx.logger.info(
      {
        runId,
        candidate: best.candidate,
        params: best.params,
        fitParams: best.fitParams,
        cvMean: round(best.mean, 4),
        cvStd: round(best.std, 4),
        cv: cvDescription,
        searchRows: result.searchRows,
        ...(result.budget ? { budget: result.budget } : {}),
        ...(result.resampling
          ? {
              foldResampling: result.resampling.folds,
              resampleSeconds: round(result.resampling.seconds, 1),
            }
          : {}),
        searchSeconds: round((performance.now() - started) / 1000, 1),
      },
      'best configuration chosen: refitting on all of train',
    );

    const fitted = await refit(this.pool, best, train, config.seed);
    const leaderboard = result.leaderboard.map((c) => ({
      candidate: c.candidate,
      cvMean: round(c.cvMean),
      cvStd: round(c.cvStd),
      trainSeconds: round(c.trainSeconds + (c.candidate === best.candidate ? fitted.trainMs / 1000 : 0), 3),
    }));
    const target = schema.target;
    const bundle = buildBundle({
      model: fitted.model,
      candidate: best.candidate,
      params: best.fitParams,
      preprocessor,
      referenceProfile: reference.profile,
      dataset: { name: event.dataset.datasetName, schemaSha256: event.dataset.schema.sha256 },
      threshold: 0.5,
      classLabels: target
        ? { negative: target.labels.negative, positive: target.labels.positive }
        : { negative: 'benign', positive: 'malicious' },
      training: {
        runId,
        trainedAt: new Date().toISOString(),
        metric: config.metric,
        cvMean: round(best.mean),
        cvStd: round(best.std),
        folds: config.folds,
        trials: result.trials.length,
        leaderboard,
      },
    });
    const bundleRef = await this.artifacts.put({
      runId,
      kind: BUNDLE_KIND,
      body: Buffer.from(serializeBundle(bundle), 'utf8'),
      mediaType: BUNDLE_MEDIA_TYPE,
    });
    await this.registry.artifacts.record({
      ref: bundleRef,
      kind: BUNDLE_KIND,
      runId,
      parents: [
        event.train.uri,
        ...(unbalancedRef ? [unbalancedRef.uri] : []),
        event.preprocessor.uri,
        reference.uri,
      ],
      producedBy: { stage: 'trainer', eventId: ctx.envelope.eventId },
    });
    const model = await this.registry.models.register({
      runId,
      dataset: event.dataset.datasetName,
      bundle: bundleRef,
      candidate: best.candidate,
      params: { ...best.fitParams },
      cvMetrics: { [config.metric]: round(best.mean), [`${config.metric}Std`]: round(best.std) },
    });
    const seconds = round((performance.now() - started) / 1000, 1);
    ctx.logger.info(
      { runId, version: model.version, bundle: bundleRef.uri, seconds },
      'model trained and registered',
    );
    await this.registry.runs.recordStage(runId, 'trainer', {
      status: 'succeeded',
      eventId: ctx.envelope.eventId,
      detail: `${best.candidate} ${config.metric} ${best.mean.toFixed(4)} ± ${best.std.toFixed(4)} (${config.folds}-fold CV on ${cvDescription}${searchRowsDetail(result.searchRows, cvData.rows)}, ${result.trials.length} trials, ${halvingDetail(result.trials)}${budgetDetail(result)}, ${seconds} s); model ${model.version}`,
      config: stageConfig({ search: config, foldResampling: resamplingSettings ?? null }),
    });
    return this.modelTrained(event, bundleRef, bundle, model.version);
  }

  private modelTrained(
    event: EventByTopic['data.transformed'],
    bundleRef: ArtifactRef,
    bundle: ModelBundle,
    modelVersion: string,
  ): StageResult {
    const t = bundle.training;
    return emit('model.trained', {
      dataset: event.dataset,
      bundle: bundleRef,
      modelVersion,
      candidate: bundle.candidate,
      engine: bundle.engine.version,
      params: Object.fromEntries(Object.entries(bundle.params).map(([k, v]) => [k, String(v)])),
      metric: t.metric,
      cvMean: t.cvMean,
      cvStd: t.cvStd,
      folds: t.folds,
      trials: t.trials,
      leaderboard: t.leaderboard.map((c) => ({ ...c })),
    });
  }

  /**
   * A matrix artifact decoded onto SharedArrayBuffers: the one copy every fold, trial and the refit read
   * (row selections of it; `toShared` returns it as it is). The downloaded bytes are garbage once decoded.
   */
  private async sharedMatrix(ref: ArtifactRef): Promise<LabelledMatrix> {
    const m = decodeMatrix(await this.artifacts.getBuffer(ref));
    return { ...m, X: toShared(m.X), y: toShared(m.y) };
  }

  /** The run's training-data profile, written by validation; the bundle carries it for drift checks. */
  private async referenceProfile(runId: string): Promise<{ profile: DatasetProfile; uri: string }> {
    const record = await this.registry.artifacts.latestOfKind(runId, REFERENCE_PROFILE_KIND);
    if (!record) throw new NonRetryableError(`run ${runId} has no ${REFERENCE_PROFILE_KIND} artifact`);
    const profile: unknown = await this.artifacts.getJson(toArtifactRef(record));
    assertDatasetProfile(profile);
    return { profile, uri: record.uri };
  }
}
