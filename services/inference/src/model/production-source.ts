import type { ArtifactRef } from '@netsentry/contracts';
import { toArtifactRef, type Registry } from '@netsentry/registry';

export const PRODUCTION_SOURCE = Symbol('PRODUCTION_SOURCE');

/** Where inference learns which model is production for its dataset (the registry). */
export interface ProductionSource {
  /** The production version of `dataset` and its immutable bundle copy; null when there is none yet. */
  production(dataset: string): Promise<{ version: string; bundle: ArtifactRef } | null>;
  /** The dataset schema a model was trained with (ingestion stores it with the run), as YAML text. */
  schemaRef(runId: string): Promise<ArtifactRef | null>;
}

/** The registry as a ProductionSource: the dataset's own production alias (one production model per dataset). */
export class RegistryProductionSource implements ProductionSource {
  constructor(private readonly registry: Registry) {}

  async production(dataset: string): Promise<{ version: string; bundle: ArtifactRef } | null> {
    const production = await this.registry.productionBundle(dataset);
    return production === null ? null : { version: production.version, bundle: production.bundle };
  }

  async schemaRef(runId: string): Promise<ArtifactRef | null> {
    const record = await this.registry.artifacts.latestOfKind(runId, 'dataset/schema');
    return record === null ? null : toArtifactRef(record);
  }
}
