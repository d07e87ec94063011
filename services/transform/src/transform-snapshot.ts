import { Inject, Injectable, Optional } from '@nestjs/common';
import type { EventByTopic } from '@netsentry/contracts';
import {
  encodeMatrix,
  MATRIX_MEDIA_TYPE,
  readLabelledSplitsWithProgress,
  serializePreprocessor,
  transformDatasetOnPool,
} from '@netsentry/ml';
import { Metrics, Progress } from '@netsentry/observability';
import { stageConfig } from '@netsentry/registry';
import { ARTIFACT_STORE, emit, RECORD_STORE, REGISTRY, type StageResult } from '@netsentry/runtime';
import type { TransformArtifacts, TransformRecords, TransformRegistry, UseCaseContext } from './ports';
import { TRANSFORM_SETTINGS, type TransformStageSettings } from './transform.config';
import { TransformWorkers } from './transform-workers';

/**
 * data.validated → the preprocessor fitted on train (imputation, encoding, scaling), both splits
 * transformed, the train split resampled when the policy says so → preprocessor and matrices stored with
 * their lineage → data.transformed. Progress of the read and of every phase goes to the log and metrics.
 */
@Injectable()
export class TransformSnapshot {
  constructor(
    @Inject(RECORD_STORE) private readonly records: TransformRecords,
    @Inject(ARTIFACT_STORE) private readonly artifacts: TransformArtifacts,
    @Inject(REGISTRY) private readonly registry: TransformRegistry,
    @Inject(TRANSFORM_SETTINGS) private readonly settings: TransformStageSettings,
    @Inject(TransformWorkers) private readonly workers: TransformWorkers,
    @Optional() @Inject(Metrics) private readonly metrics?: Metrics,
  ) {}

  async execute(event: EventByTopic['data.validated'], ctx: UseCaseContext): Promise<StageResult> {
    const settings = this.settings.transform;
    const runId = ctx.envelope.runId ?? 'unknown-run';
    const schema = await this.records.requireSchema(event.dataset.schema.sha256);
    const progress = new Progress({
      stage: 'transform',
      logger: ctx.logger,
      metrics: this.metrics,
      bindings: { runId },
    });
    const { train, test } = await readLabelledSplitsWithProgress(
      schema,
      event.dataset,
      (ref) => this.artifacts.open(ref),
      progress,
    );
    const started = Date.now();
    const result = await transformDatasetOnPool(schema, train, test, settings, this.workers.pool, progress);
    const resampling = result.resampling;
    ctx.logger.info(
      {
        runId,
        ms: Date.now() - started,
        before: result.classCountsBefore,
        after: result.classCountsAfter,
        resampling: resampling.reason,
      },
      'transformed',
    );

    const put = (kind: string, body: Buffer, mediaType: string, rowCount?: number) =>
      this.artifacts.put({ runId, kind, body, mediaType, ...(rowCount === undefined ? {} : { rowCount }) });
    const preprocessor = await put(
      'model/preprocessor',
      Buffer.from(serializePreprocessor(result.preprocessor), 'utf8'),
      'application/json',
    );
    const trainRef = await put(
      'dataset/train-transformed',
      encodeMatrix(result.train),
      MATRIX_MEDIA_TYPE,
      result.train.rows,
    );
    const unbalancedRef = result.unbalancedTrain
      ? await put(
          'dataset/train-unbalanced',
          encodeMatrix(result.unbalancedTrain),
          MATRIX_MEDIA_TYPE,
          result.unbalancedTrain.rows,
        )
      : null;
    const testRef = await put(
      'dataset/test-transformed',
      encodeMatrix(result.test),
      MATRIX_MEDIA_TYPE,
      result.test.rows,
    );
    const producedBy = { stage: 'transform', eventId: ctx.envelope.eventId };
    await this.registry.artifacts.record({
      ref: preprocessor,
      kind: 'model/preprocessor',
      runId,
      parents: [event.dataset.train.uri],
      producedBy,
    });
    await this.registry.artifacts.record({
      ref: trainRef,
      kind: 'dataset/train-transformed',
      runId,
      parents: [event.dataset.train.uri, preprocessor.uri],
      producedBy,
    });
    if (unbalancedRef) {
      await this.registry.artifacts.record({
        ref: unbalancedRef,
        kind: 'dataset/train-unbalanced',
        runId,
        parents: [event.dataset.train.uri, preprocessor.uri],
        producedBy,
      });
    }
    await this.registry.artifacts.record({
      ref: testRef,
      kind: 'dataset/test-transformed',
      runId,
      parents: [event.dataset.test.uri, preprocessor.uri],
      producedBy,
    });
    await this.registry.runs.recordStage(runId, 'transform', {
      status: 'succeeded',
      eventId: ctx.envelope.eventId,
      detail: `${result.train.cols} features; train ${JSON.stringify(result.classCountsBefore)} → ${JSON.stringify(result.classCountsAfter)}; resampling ${resampling.reason}`,
      config: stageConfig({ ...settings, resamplingApplied: resampling }),
    });
    return emit('data.transformed', {
      dataset: event.dataset,
      preprocessor,
      train: trainRef,
      test: testRef,
      featureCount: result.train.cols,
      resampling: resampling.method === 'smote-tomek' ? 'SMOTE_TOMEK' : 'NONE',
      classCountsBefore: result.classCountsBefore,
      classCountsAfter: result.classCountsAfter,
      unbalancedTrain: unbalancedRef,
      resamplingSettings: unbalancedRef ? { k: settings.smoteK, seed: settings.seed } : null,
    });
  }
}
