import {
  adminSection,
  bool,
  defineConfig,
  duration,
  float,
  int,
  list,
  loadConfig,
  str,
  type ConfigSection,
  type Env,
} from '@netsentry/config';

export const INFERENCE_CONFIG = Symbol('INFERENCE_CONFIG');

export interface InferenceSettings {
  /** The dataset this instance serves: it loads that dataset's production model and refuses others. */
  readonly dataset: string;
  readonly batch: {
    readonly maxRecords: number;
    readonly partitionsConcurrently: number;
    readonly maxWaitMs: number;
  };
  /** Top-level keys of flat JSON records that are shipper metadata, not features (Logstash, Filebeat, Vector). */
  readonly jsonIgnoredKeys: readonly string[];
  /** Score the stream on a worker thread (decision 0107); false: on the main thread. */
  readonly scoringThread: boolean;
  readonly drift: {
    readonly enabled: boolean;
    readonly windowSize: number;
    readonly numericThreshold: number;
    readonly categoricalThreshold: number;
    readonly shareThreshold: number;
    /** Evaluate the window at most this often. */
    readonly evaluateEveryMs: number;
    readonly retrain: boolean;
    readonly cooldownMs: number;
  };
  /** The admin-command signing key (NETSENTRY_ADMIN_SECRET), required when drift may request a RETRAIN. */
  readonly adminSecret: string | null;
}

/** `NETSENTRY_INFERENCE_*` → InferenceSettings (fails fast naming every bad variable). */
export function inferenceSection(): ConfigSection<InferenceSettings> {
  return defineConfig(
    {
      NETSENTRY_INFERENCE_DATASET: str({
        pattern: /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/,
        expected: 'a dataset name (the `name` of its schema file)',
        description: 'Dataset whose production model this instance serves',
      }),
      NETSENTRY_INFERENCE_MAX_RECORDS: int({ default: 2_000, min: 1, max: 100_000 }),
      NETSENTRY_INFERENCE_PARTITIONS_CONCURRENTLY: int({ default: 4, min: 1, max: 64 }),
      NETSENTRY_INFERENCE_MAX_WAIT: duration({ default: 20 }),
      NETSENTRY_INFERENCE_SCORING_THREAD: bool({
        default: true,
        description:
          'Decode, check, score and encode the stream on a worker thread beside the Kafka thread (false: on the main thread)',
      }),
      NETSENTRY_INFERENCE_JSON_IGNORED_KEYS: list({
        default: [
          '@timestamp',
          '@version',
          'host',
          'agent',
          'ecs',
          'log',
          'input',
          'fields',
          'tags',
          'event',
        ],
      }),
      NETSENTRY_INFERENCE_DRIFT: bool({
        default: true,
        description: 'Track live drift against the training profile',
      }),
      NETSENTRY_INFERENCE_DRIFT_WINDOW: int({ default: 5_000, min: 100, max: 1_000_000 }),
      NETSENTRY_INFERENCE_DRIFT_PSI_THRESHOLD: float({ default: 0.1, min: 0 }),
      NETSENTRY_INFERENCE_DRIFT_CATEGORICAL_THRESHOLD: float({ default: 0.1, min: 0 }),
      NETSENTRY_INFERENCE_DRIFT_SHARE: float({ default: 0.5, min: 0, max: 1 }),
      NETSENTRY_INFERENCE_DRIFT_EVALUATE_EVERY: duration({ default: 1_000 }),
      NETSENTRY_INFERENCE_DRIFT_RETRAIN: bool({
        default: false,
        description: 'Publish a RETRAIN on admin.commands when the live window drifts',
      }),
      NETSENTRY_INFERENCE_DRIFT_COOLDOWN: duration({ default: 60 * 60 * 1000 }),
    },
    (v): InferenceSettings => ({
      dataset: v.NETSENTRY_INFERENCE_DATASET,
      batch: {
        maxRecords: v.NETSENTRY_INFERENCE_MAX_RECORDS,
        partitionsConcurrently: v.NETSENTRY_INFERENCE_PARTITIONS_CONCURRENTLY,
        maxWaitMs: v.NETSENTRY_INFERENCE_MAX_WAIT,
      },
      jsonIgnoredKeys: v.NETSENTRY_INFERENCE_JSON_IGNORED_KEYS,
      scoringThread: v.NETSENTRY_INFERENCE_SCORING_THREAD,
      drift: {
        enabled: v.NETSENTRY_INFERENCE_DRIFT,
        windowSize: v.NETSENTRY_INFERENCE_DRIFT_WINDOW,
        numericThreshold: v.NETSENTRY_INFERENCE_DRIFT_PSI_THRESHOLD,
        categoricalThreshold: v.NETSENTRY_INFERENCE_DRIFT_CATEGORICAL_THRESHOLD,
        shareThreshold: v.NETSENTRY_INFERENCE_DRIFT_SHARE,
        evaluateEveryMs: v.NETSENTRY_INFERENCE_DRIFT_EVALUATE_EVERY,
        retrain: v.NETSENTRY_INFERENCE_DRIFT_RETRAIN,
        cooldownMs: v.NETSENTRY_INFERENCE_DRIFT_COOLDOWN,
      },
      adminSecret: null,
    }),
  );
}

/** The section itself, for tools that validate a deployment's environment (the compose test). */
export const inferenceConfig: ConfigSection<InferenceSettings> = inferenceSection();

/** Inference's settings; with automatic retraining on, the admin secret it signs RETRAIN with is required. */
export function loadInferenceConfig(env: Env): InferenceSettings {
  const settings = loadConfig(inferenceConfig, env);
  if (!settings.drift.retrain) return settings;
  return { ...settings, adminSecret: loadConfig(adminSection(), env).secret };
}
