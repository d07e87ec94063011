import type { EngineKind } from '../engines/engine';

/** One hyperparameter's value, as a search space draws it and a bundle records it. */
export type ParamValue = number | string | boolean;
/** A configuration's hyperparameters by name. */
export type ParamSet = Readonly<Record<string, ParamValue>>;

/**
 * Turns a configuration's parameters into the engine's: the random forest's `featureFraction` becomes
 * `maxFeatures` (at least 1), and the seed is set.
 */
export function engineParams(
  engine: EngineKind,
  params: ParamSet,
  cols: number,
  seed: number,
): Record<string, ParamValue> {
  const out: Record<string, ParamValue> = { ...params, seed };
  if (engine === 'random-forest' && typeof out.featureFraction === 'number') {
    out.maxFeatures = Math.max(1, Math.min(cols, Math.round(out.featureFraction * cols)));
    delete out.featureFraction;
  }
  return out;
}
