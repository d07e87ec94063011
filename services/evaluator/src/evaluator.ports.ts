// What the evaluator's use case needs from the stores and the worker pool: the slices it calls, so a unit
// test passes in-memory fakes and the service module the real stores (StoresModule's tokens).
import type { ArtifactStore } from '@netsentry/artifacts';
import type { WorkerPool } from '@netsentry/ml';
import type { RecordStore } from '@netsentry/records';
import type { Registry } from '@netsentry/registry';
import type { StageContext } from '@netsentry/runtime';

export type EvaluatorArtifacts = Pick<ArtifactStore, 'getBuffer' | 'open' | 'putJson'>;

export type EvaluatorRecords = Pick<RecordStore, 'requireSchema'>;

export interface EvaluatorRegistry {
  readonly models: Pick<Registry['models'], 'get' | 'list' | 'transition'>;
  readonly artifacts: Pick<Registry['artifacts'], 'latestOfKind' | 'record'>;
  readonly runs: Pick<Registry['runs'], 'recordStage' | 'finishRun'>;
  readonly aliases: Pick<Registry['aliases'], 'get'>;
}

/** Where bundles are loaded and frames preprocessed and scored: the service's WorkerPool, or this thread. */
export type ScoringPool = Pick<WorkerPool, 'score'>;
export const SCORING_POOL = Symbol('SCORING_POOL');

/** What the use case reads of the event's delivery. */
export type EvaluateContext = Pick<StageContext<'model.trained'>, 'envelope' | 'logger'>;
