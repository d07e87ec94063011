// What the trainer's use case needs from the stores and the worker pool: the slices it calls, so a unit
// test passes in-memory fakes and the service module the real stores (StoresModule's tokens).
import type { ArtifactStore } from '@netsentry/artifacts';
import type { WorkerPool } from '@netsentry/ml';
import type { RecordStore } from '@netsentry/records';
import type { Registry } from '@netsentry/registry';
import type { StageContext } from '@netsentry/runtime';

export type TrainerArtifacts = Pick<ArtifactStore, 'exists' | 'getBuffer' | 'getJson' | 'put'>;

export type TrainerRecords = Pick<RecordStore, 'requireSchema'>;

export interface TrainerRegistry {
  readonly models: Pick<Registry['models'], 'list' | 'register'>;
  readonly trials: Pick<Registry['trials'], 'record'>;
  readonly artifacts: Pick<Registry['artifacts'], 'latestOfKind' | 'record'>;
  readonly runs: Pick<Registry['runs'], 'recordStage'>;
}

/** Where the search's and the refit's jobs run: the service's WorkerPool, or this thread in a unit test. */
export type TrainingPool = Pick<WorkerPool, 'size' | 'run' | 'resample'>;
export const TRAINING_POOL = Symbol('TRAINING_POOL');

/** The search the trainer runs (`searchConfigOf` the settings). */
export const SEARCH_CONFIG = Symbol('SEARCH_CONFIG');

/** What a use case reads of the event's delivery. */
export type TrainContext = Pick<StageContext<'data.transformed'>, 'envelope' | 'logger' | 'signal'>;
