import { ArtifactIntegrityError, ArtifactNotFoundError, type ArtifactStore } from '@netsentry/artifacts';
import { BundleError, parseBundle } from '@netsentry/ml';
import type { ModelRecord } from '@netsentry/registry';

/**
 * The dataset a model was trained on — the production alias it may move. The trainer registers it with the
 * model; for models registered before that, the bundle names it (read once per version and kept).
 */
export class ModelDatasets {
  private readonly known = new Map<string, string>();

  constructor(private readonly artifacts: ArtifactStore) {}

  /** The model's dataset, or null when its bundle cannot be read or parsed (it fails verification too). */
  async of(model: ModelRecord): Promise<string | null> {
    if (model.dataset !== null) return model.dataset;
    const cached = this.known.get(model.version);
    if (cached !== undefined) return cached;
    let name: string;
    try {
      name = parseBundle(await this.artifacts.getBuffer(model.bundle)).dataset.name;
    } catch (e) {
      const permanent =
        e instanceof BundleError || e instanceof ArtifactNotFoundError || e instanceof ArtifactIntegrityError;
      if (permanent) return null;
      throw e; // S3 unreachable: retried
    }
    this.known.set(model.version, name);
    return name;
  }
}
