import type { Registry } from '@netsentry/registry';
import type { StageContext } from '@netsentry/runtime';
import type { ModelDatasets } from './model-datasets';
import type { ProductionRelease } from './production-release';
import type { PusherMetrics } from './pusher.metrics';
import type { BundleVerifier } from './verification/bundle-verifier';

// What the pusher's use cases ask of their collaborators (injected under REGISTRY and the classes' own
// tokens): the real ones satisfy these; unit tests pass in-memory fakes.

/** The registry as a push of an accepted model uses it. */
export interface PushRegistry {
  readonly models: Pick<Registry['models'], 'get' | 'transition' | 'transitions'>;
  readonly aliases: Pick<Registry['aliases'], 'get'>;
  readonly runs: Pick<Registry['runs'], 'recordStage' | 'finishRun'>;
}

/** The registry as an operator's ROLLBACK or PROMOTE uses it. */
export interface CommandRegistry extends Pick<Registry, 'productions'> {
  readonly models: Pick<Registry['models'], 'get'>;
  readonly aliases: Pick<Registry['aliases'], 'get' | 'previous'>;
}

export type VerifierPort = Pick<BundleVerifier, 'report' | 'verify' | 'sampleCount'>;
export type ReleasePort = Pick<ProductionRelease, 'release' | 'moveOf'>;
export type DatasetsPort = Pick<ModelDatasets, 'of'>;
export type RefusalMetrics = Pick<PusherMetrics, 'refused'>;

/** The part of a handler's context a use case needs: the event's envelope and its logger. */
export type UseCaseContext = Pick<StageContext, 'envelope' | 'logger'>;
