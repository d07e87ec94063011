import {
  AliasConflictError,
  LEGACY_PRODUCTION_ALIAS,
  productionAliasName,
  type Registry,
} from '@netsentry/registry';
import type { ModelDatasets } from './model-datasets';

/** What was carried over, for the log. */
export interface CarriedOver {
  readonly from: string;
  readonly to: string;
  readonly version: string;
}

/**
 * Releases before per-dataset production kept one `production` alias for the whole deployment. At start-up
 * the pusher points that model's dataset alias at the same version — once: only while the dataset alias
 * has never moved (compare-and-set from revision 0, with an idempotency key per legacy revision, so
 * several replicas starting together carry it over once). The legacy alias is left as it was, as history.
 */
export async function carryOverLegacyProduction(
  registry: Registry,
  datasets: ModelDatasets,
): Promise<CarriedOver | null> {
  const legacy = await registry.aliases.get(LEGACY_PRODUCTION_ALIAS);
  if (legacy === null) return null;
  const model = await registry.models.get(legacy.version);
  const dataset = model === null ? null : await datasets.of(model);
  if (dataset === null) return null;
  const alias = productionAliasName(dataset);
  if ((await registry.aliases.get(alias)) !== null) return null;
  try {
    await registry.aliases.move(alias, legacy.version, {
      expectedRevision: 0,
      reason: `carried over from the deployment-wide '${LEGACY_PRODUCTION_ALIAS}' alias (revision ${legacy.revision}): ${legacy.reason}`,
      actor: legacy.actor,
      action: legacy.action,
      eventId: `legacy-${LEGACY_PRODUCTION_ALIAS}-${legacy.revision}`,
    });
  } catch (e) {
    if (e instanceof AliasConflictError) return null; // another replica, or a push, moved it first
    throw e;
  }
  return { from: LEGACY_PRODUCTION_ALIAS, to: alias, version: legacy.version };
}
