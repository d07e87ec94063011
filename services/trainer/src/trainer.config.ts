import { defineConfig, int, oneOf, str, type ConfigSection } from '@netsentry/config';
import { availableParallelism } from 'node:os';
import { DEFAULT_CANDIDATES_PATH, loadCandidatesConfig, MIN_SEARCH_ROWS } from './candidates';
import type { SearchConfig } from './search';

/**
 * Trainer's settings (`NETSENTRY_TRAINER_*`), validated at start-up. The search itself (candidates, spaces,
 * metric, folds, trials, seed, successive halving) lives in the candidates YAML file; the optional variables
 * override it.
 */
export const trainerSection = defineConfig(
  {
    /** Path of the candidates file; default: the service's config/candidates.yaml. */
    NETSENTRY_TRAINER_CANDIDATES: str({ optional: true }),
    NETSENTRY_TRAINER_TRIALS: int({ optional: true, min: 1, max: 1000 }),
    NETSENTRY_TRAINER_FOLDS: int({ optional: true, min: 2, max: 20 }),
    NETSENTRY_TRAINER_SEED: int({ optional: true, min: 0 }),
    /** `off`: every trial on all rows, whatever the candidates file says; `on`: halving (the file's or defaults). */
    NETSENTRY_TRAINER_HALVING: oneOf(['on', 'off'], { optional: true, ignoreCase: true }),
    /** Successive halving's factor (keep 1/factor of a rung, factor× the rows at the next); implies `on`. */
    NETSENTRY_TRAINER_HALVING_FACTOR: int({ optional: true, min: 2, max: 16 }),
    /**
     * At most this many training rows for the search (a stratified sample; the refit trains on every row);
     * 0: no cap. Default: the candidates file's `maxSearchRows`.
     */
    NETSENTRY_TRAINER_MAX_SEARCH_ROWS: int({ optional: true, min: 0, max: 100_000_000 }),
    /**
     * Seconds the search may spend before its last rung (then each candidate's best goes to all rows); 0: no
     * budget. Default: the candidates file's `searchBudgetSeconds`.
     */
    NETSENTRY_TRAINER_SEARCH_BUDGET_SECONDS: int({ optional: true, min: 0, max: 1_000_000 }),
    /**
     * Training worker threads; default: the available cores minus one (at least 1), so on a 2-core machine
     * one core stays for the broker and the services' event loops.
     */
    NETSENTRY_TRAINER_WORKERS: int({ optional: true, min: 1, max: 64 }),
  },
  (values, ctx) => {
    const cap = values.NETSENTRY_TRAINER_MAX_SEARCH_ROWS;
    if (cap !== undefined && cap > 0 && cap < MIN_SEARCH_ROWS) {
      ctx.problem(
        'NETSENTRY_TRAINER_MAX_SEARCH_ROWS',
        `expected 0 (no cap) or at least ${MIN_SEARCH_ROWS} rows, got ${cap}`,
      );
    }
    return values;
  },
);

/** The default worker count: every core but one, at least one. */
export const defaultTrainerWorkers = (cores: number = availableParallelism()): number =>
  Math.max(1, cores - 1);

/** The trainer's settings as loaded (`configProvider(TRAINER_SETTINGS, trainerSection)`). */
export type TrainerSettings = typeof trainerSection extends ConfigSection<infer T> ? T : never;
export const TRAINER_SETTINGS = Symbol('TRAINER_SETTINGS');

/** The search the trainer runs: the candidates file with the variables' overrides. */
export function searchConfigOf(s: TrainerSettings): SearchConfig {
  return loadCandidatesConfig(s.NETSENTRY_TRAINER_CANDIDATES ?? DEFAULT_CANDIDATES_PATH, {
    ...(s.NETSENTRY_TRAINER_TRIALS === undefined ? {} : { trialsPerCandidate: s.NETSENTRY_TRAINER_TRIALS }),
    ...(s.NETSENTRY_TRAINER_FOLDS === undefined ? {} : { folds: s.NETSENTRY_TRAINER_FOLDS }),
    ...(s.NETSENTRY_TRAINER_SEED === undefined ? {} : { seed: s.NETSENTRY_TRAINER_SEED }),
    ...(s.NETSENTRY_TRAINER_MAX_SEARCH_ROWS === undefined
      ? {}
      : { maxSearchRows: s.NETSENTRY_TRAINER_MAX_SEARCH_ROWS }),
    ...(s.NETSENTRY_TRAINER_SEARCH_BUDGET_SECONDS === undefined
      ? {}
      : { searchBudgetSeconds: s.NETSENTRY_TRAINER_SEARCH_BUDGET_SECONDS }),
    ...(s.NETSENTRY_TRAINER_HALVING === 'off'
      ? { halving: false as const }
      : s.NETSENTRY_TRAINER_HALVING === 'on' || s.NETSENTRY_TRAINER_HALVING_FACTOR !== undefined
        ? {
            halving:
              s.NETSENTRY_TRAINER_HALVING_FACTOR === undefined
                ? {}
                : { factor: s.NETSENTRY_TRAINER_HALVING_FACTOR },
          }
        : {}),
  });
}
