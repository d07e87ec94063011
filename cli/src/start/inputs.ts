import { loadDatasetSchema, type DatasetSchema } from '@netsentry/dataset';
import { existsSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';

/** The datasets that ship with the repository: name → data file and schema file (relative to the root). */
export const BUNDLED_DATASETS: Readonly<Record<string, { readonly data: string; readonly schema: string }>> =
  {
    phishing: { data: 'data/phishing.csv', schema: 'data/schemas/phishing.yaml' },
    'nsl-kdd': { data: 'data/nsl-kdd/KDDTrain+.csv.gz', schema: 'data/schemas/nsl-kdd.yaml' },
  };

export const DEFAULT_DATASET = 'phishing';

export interface DatasetInputs {
  readonly dataset: string;
  readonly schemaPath: string;
  readonly schema: DatasetSchema;
  /** The data file to load; null = nothing to load unless the collection is empty and a bundled one exists. */
  readonly dataPath: string | null;
  /** The user named the data file: it is loaded even when the dataset already has records. */
  readonly explicitData: boolean;
}

export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}

/**
 * What to run on, from `--dataset`, `--data`, `--schema` (paths relative to `cwd`):
 * - nothing: the bundled phishing data;
 * - `--dataset <bundled name>`: its bundled data and schema;
 * - `--schema` (and `--data`): another dataset, named by its schema file; `--dataset` must then agree.
 */
export async function resolveInputs(
  root: string,
  cwd: string,
  options: { readonly dataset?: string; readonly data?: string; readonly schema?: string },
): Promise<DatasetInputs> {
  const at = (p: string): string => (isAbsolute(p) ? p : resolve(cwd, p));
  const bundled = options.dataset !== undefined ? BUNDLED_DATASETS[options.dataset] : undefined;
  if (options.schema === undefined && options.dataset !== undefined && bundled === undefined) {
    throw new InputError(
      `--dataset ${options.dataset} is not bundled (bundled: ${Object.keys(BUNDLED_DATASETS).join(', ')}); pass its --schema (and --data)`,
    );
  }
  const fallback = bundled ?? (options.schema === undefined ? BUNDLED_DATASETS[DEFAULT_DATASET] : undefined);
  const schemaPath =
    options.schema !== undefined ? at(options.schema) : join(root, fallback?.schema ?? 'missing');
  if (!existsSync(schemaPath)) throw new InputError(`schema file ${schemaPath} does not exist`);
  const schema = await loadDatasetSchema(schemaPath);
  if (options.dataset !== undefined && options.dataset !== schema.name) {
    throw new InputError(
      `--dataset ${options.dataset} does not match the schema file, which is for dataset '${schema.name}'`,
    );
  }
  // --data wins; else the bundled file of that dataset (by --dataset, or by the schema's name), if any
  const bundledData = (fallback ?? BUNDLED_DATASETS[schema.name])?.data;
  const dataPath =
    options.data !== undefined
      ? at(options.data)
      : bundledData !== undefined
        ? join(root, bundledData)
        : null;
  if (dataPath !== null && !existsSync(dataPath))
    throw new InputError(`data file ${dataPath} does not exist`);
  return { dataset: schema.name, schemaPath, schema, dataPath, explicitData: options.data !== undefined };
}
