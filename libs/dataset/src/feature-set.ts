import { createHash } from 'node:crypto';
import type { DatasetSchema } from './schema-types';

/**
 * The id of a dataset's feature order, for records in the dense form (`traffic.records` v2 `values`): 'fs1:'
 * and the first 16 hex digits of the SHA-256 of the feature names joined by '\n', in the schema's order. A
 * producer computes it once from the same list (inference serves it at GET /features); a record whose id is
 * not the served model's is refused rather than scored with its values under the wrong columns.
 */
export function featureSetId(features: readonly string[]): string {
  return `fs1:${createHash('sha256').update(features.join('\n'), 'utf8').digest('hex').slice(0, 16)}`;
}

/** The feature names of a schema in the dense form's order (the schema's own). */
export function featureOrder(schema: DatasetSchema): readonly string[] {
  return schema.features.map((c) => c.name);
}
