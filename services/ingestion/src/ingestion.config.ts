import { bool, defineConfig, duration, float, int, str, type ConfigSection } from '@netsentry/config';

/** Injection token of ingestion's settings (`@Inject(INGESTION_SETTINGS) settings: IngestionSettings`). */
export const INGESTION_SETTINGS = Symbol('INGESTION_SETTINGS');

/** Ingestion's own settings (`NETSENTRY_INGESTION_*`), validated at start-up. */
export const ingestionSection = defineConfig({
  NETSENTRY_DEFAULT_DATASET: str({
    default: 'phishing',
    description: 'dataset of a RETRAIN that names none',
  }),
  NETSENTRY_SPLIT_TEST_RATIO: float({
    default: 0.2,
    min: 0.01,
    max: 0.99,
    description: 'share of rows in test',
  }),
  NETSENTRY_SPLIT_SEED: int({ default: 42, description: 'seed of the train/test split' }),
  NETSENTRY_SPLIT_STRATIFIED: bool({ default: true, description: 'keep class shares equal on both sides' }),
  NETSENTRY_INGESTION_RUN_MAX_AGE: duration({
    default: 2 * 60 * 60_000,
    description:
      'a RETRAIN is refused while a run of the same dataset is running; a run started longer ago than ' +
      'this is taken as abandoned (a stage dead-lettered it or crashed) and no longer blocks retraining',
  }),
  NETSENTRY_SPLIT_DUPLICATE_AWARE: bool({
    default: false,
    description: 'keep identical feature vectors on one side (no leakage through duplicates)',
  }),
});

export type IngestionSettings = typeof ingestionSection extends ConfigSection<infer T> ? T : never;
