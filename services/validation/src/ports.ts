import type { ArtifactStore } from '@netsentry/artifacts';
import type { RecordStore } from '@netsentry/records';
import type { Registry } from '@netsentry/registry';
import type { StageContext } from '@netsentry/runtime';

// What validation asks of the stores (injected under ARTIFACT_STORE, RECORD_STORE and REGISTRY): the real
// classes satisfy these; unit tests pass in-memory fakes.

export type ValidationRecords = Pick<RecordStore, 'requireSchema'>;
export type ValidationArtifacts = Pick<ArtifactStore, 'open' | 'putJson' | 'getJson'>;
export interface ValidationRegistry {
  readonly aliases: Pick<Registry['aliases'], 'get'>;
  readonly models: Pick<Registry['models'], 'get'>;
  readonly artifacts: Pick<Registry['artifacts'], 'record' | 'latestOfKind'>;
  readonly runs: Pick<Registry['runs'], 'recordStage' | 'finishRun'>;
}

/** The part of a handler's context a use case needs: the event's envelope and its logger. */
export type UseCaseContext = Pick<StageContext, 'envelope' | 'logger'>;
