import type { ArtifactStore } from '@netsentry/artifacts';
import type { RecordStore } from '@netsentry/records';
import type { Registry } from '@netsentry/registry';
import type { StageContext } from '@netsentry/runtime';

// What transform asks of the stores (injected under ARTIFACT_STORE, RECORD_STORE and REGISTRY): the real
// classes satisfy these; unit tests pass in-memory fakes.

export type TransformRecords = Pick<RecordStore, 'requireSchema'>;
export type TransformArtifacts = Pick<ArtifactStore, 'open' | 'put'>;
export interface TransformRegistry {
  readonly artifacts: Pick<Registry['artifacts'], 'record'>;
  readonly runs: Pick<Registry['runs'], 'recordStage'>;
}

/** The part of a handler's context a use case needs: the event's envelope and its logger. */
export type UseCaseContext = Pick<StageContext, 'envelope' | 'logger'>;
