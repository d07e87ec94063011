export {
  chiSquareHomogeneity,
  twoProportionZTest,
  type ChiSquareResult,
  type ZTestResult,
} from './chi-square';
export * from './conformance';
export * from './drift';
export { StatsError, type StatsErrorCode } from './errors';
export { jensenShannonDistance } from './jensen-shannon';
export * from './live-drift';
export { kolmogorovSmirnovSf, smirnovSf } from './kolmogorov';
export { ksTwoSample, ksTwoSampleSorted, type KsMethod, type KsResult } from './ks-two-sample';
export * from './profile';
export { PSI_EPSILON, psi } from './psi';
export type { DatasetSchemaLike, SchemaColumnLike } from './schema-like';
export { chiSquareSf, gammaP, gammaQ, logGamma } from './special';
export { histogramCounts, quantileSorted } from './summary';
export {
  WASSERSTEIN_MIN_NORM,
  normalizedWasserstein,
  populationStd,
  wassersteinDistance,
  wassersteinDistanceSorted,
} from './wasserstein';
