import type { DatasetSchema } from '@netsentry/dataset';
import type { OpenBundle } from '@netsentry/ml';
import type { LoadedModel } from '../../src/model/model-holder';
import { RecordChecker } from '../../src/records/record-checker';

/** The toy bundle as the service serves it (version v7, labels attack/normal): for unit tests of scoring. */
export function toyLoadedModel(bundle: OpenBundle, schema: DatasetSchema): LoadedModel {
  const checker = new RecordChecker(schema);
  return {
    version: 'v7',
    dataset: 'toy',
    features: checker.features,
    featureSet: checker.featureSet,
    threshold: bundle.bundle.threshold,
    labels: { positive: 'attack', negative: 'normal' },
    bundle: bundle.bundle,
    scorer: bundle,
    schema,
    checker,
    loadedAt: Date.now(),
  };
}
