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

const PRODUCTION_BUNDLE_KIND = 'model/production-bundle';

/** The registry as a ProductionSource. */
export class RegistryProductionSource implements ProductionSource {
  constructor(private readonly registry: Registry) {}

  async production(dataset: string): Promise<{ version: string; bundle: ArtifactRef } | null> {
    void dataset;
    const alias = await this.registry.aliases.get();
    if (alias === null) return null;
    const model = await this.registry.models.get(alias.version);
    if (model === null) return null;
    const copy = await this.registry.artifacts.latestOfKind(model.runId, PRODUCTION_BUNDLE_KIND);
    return { version: alias.version, bundle: copy === null ? model.bundle : toArtifactRef(copy) };
  }

  async schemaRef(runId: string): Promise<ArtifactRef | null> {
    const record = await this.registry.artifacts.latestOfKind(runId, 'dataset/schema');
    return record === null ? null : toArtifactRef(record);
  }
}
