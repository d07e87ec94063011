// Generated from contracts/schemas by contracts/src/codegen.ts. Do not edit: change the .avsc files and run
//   UPDATE_CONTRACTS=1 npx vitest run --project unit contracts/

/** A content-addressed pointer to an artifact in object storage. Events carry these, never the data itself. */
export interface ArtifactRef {
  /** Location as s3://bucket/key. */
  uri: string;
  /** SHA-256 of the object's bytes, 64 lowercase hex characters; readers verify it. */
  sha256: string;
  /** Size of the object in bytes. */
  sizeBytes: number;
  /** Number of data rows for tabular artifacts; null for non-tabular ones (models, reports). */
  rowCount: number | null;
  /** IANA media type of the content, e.g. 'text/csv', 'application/json', 'application/x-netsentry-bundle+tar'. */
  mediaType: string;
}

/** The dataset lineage carried forward through the data stages: which dataset, under which schema file, and its snapshot and split. */
export interface DatasetRefs {
  /** Dataset name as declared in its schema file, e.g. 'phishing'. */
  datasetName: string;
  /** The dataset schema file (YAML) the data was read under. */
  schema: DatasetSchemaRef;
  /** Full export of the records collection at ingestion time. */
  snapshot: ArtifactRef;
  /** Training split of the snapshot. */
  train: ArtifactRef;
  /** Held-out test split of the snapshot. */
  test: ArtifactRef;
}

export interface DatasetSchemaRef {
  /** Schema file name, e.g. 'phishing.schema.yaml'. */
  name: string;
  /** SHA-256 of the schema file's bytes (lowercase hex). */
  sha256: string;
}

/** Metadata every event carries: identity, lineage (run, correlation, causation), who produced it and when. */
export interface Envelope {
  /** Unique id of this event (UUID v4, lowercase, hyphenated). Consumers deduplicate on it. */
  eventId: string;
  /** Pipeline run (one pass ingest -> push) this event belongs to; null for events outside a run (live traffic, commands not yet started). */
  runId: string | null;
  /** Id shared by every event of one causal chain (e.g. the RETRAIN command id for a whole run); copied from the cause. */
  correlationId: string;
  /** eventId of the event that directly caused this one; null for a root event. */
  causationId: string | null;
  /** The service instance that wrote this event. */
  producer: Producer;
  /** When the fact this event reports happened. (timestamp-millis: epoch milliseconds, UTC) */
  occurredAt: number;
  /** Version of the topic schema the event was written with; stamped by the serializer (ContractRegistry.encode). */
  schemaVersion: number;
}

export interface Producer {
  /** Service name, e.g. 'ingestion', 'inference', 'cli'. */
  service: string;
  /** Code version of the service (semver or git sha). */
  version: string;
}

/** The candidate scored against the current production model on the same held-out test set. */
export interface ProductionComparison {
  /** Model version holding the production alias at evaluation time. */
  productionVersion: string;
  /** Metric the decision was made on, e.g. 'f1'. */
  metric: string;
  /** Candidate's value of the metric on the test set. */
  candidateScore: number;
  /** Production model's value of the metric on the same test set. */
  productionScore: number;
  /** Margin the candidate had to beat production by (e.g. 0.02). */
  requiredMargin: number;
  /** All test-set metrics of the production model, by metric name. */
  productionMetrics: Record<string, number>;
}

/** An operator's (or the drift monitor's) instruction to the pipeline, signed with the deployment's admin secret. The command id is envelope.eventId. */
export interface AdminCommand {
  envelope: Envelope;
  /** What to do: RETRAIN starts a run at ingestion; ROLLBACK and PROMOTE are carried out by the pusher. */
  command: CommandType;
  /** Why, in words; shown in the run history. */
  reason: string;
  /** Who asked: an operator's name, or a service such as 'inference' for drift-triggered retrains. */
  requestedBy: string;
  /** ROLLBACK: version to roll back to (null = the previous production version). PROMOTE: version to promote. Ignored by RETRAIN. */
  targetModelVersion: string | null;
  /** RETRAIN: dataset to train on (null = the configured default dataset). ROLLBACK: whose production to roll back (null = the only dataset with a production model). PROMOTE: must match the version's dataset when set. */
  datasetName: string | null;
  /** Random, unique per issued command (a UUID); signed. A second command with a nonce already seen is a replay and is refused (ADMIN_REPLAYED). Null in unsigned commands and in commands written as v1. */
  nonce: string | null;
  /** HMAC-SHA256 with the shared admin secret (NETSENTRY_ADMIN_SECRET), lower-case hex, over the canonical form: the JSON array ['netsentry/admin-command@1', nonce, envelope.occurredAt, envelope.producer.service, command, reason, requestedBy, targetModelVersion, datasetName]. envelope.occurredAt is the signing time, checked against the replay window. Null: unsigned, refused (ADMIN_UNSIGNED), as is every v1 command. */
  signature: string | null;
}

export type CommandType = 'RETRAIN' | 'ROLLBACK' | 'PROMOTE';

/** Ingestion exported a snapshot of the records collection and split it into train and test. */
export interface DataIngested {
  envelope: Envelope;
  /** Dataset, schema file, snapshot and split written by this run. */
  dataset: DatasetRefs;
  /** Row counts of the snapshot and the split. */
  rows: RowCounts;
  /** How the snapshot was split, so the split can be reproduced. */
  split: SplitConfig;
}

export interface RowCounts {
  /** Rows exported. */
  snapshot: number;
  /** Rows in the training split. */
  train: number;
  /** Rows in the test split. */
  test: number;
  /** Rows that exactly duplicate another row of the snapshot. */
  duplicates: number;
}

export interface SplitConfig {
  /** Share of rows in the test split, in (0, 1). */
  testRatio: number;
  /** Seed of the random split. */
  seed: number;
  /** Whether class proportions were preserved in both splits. */
  stratified: boolean;
  /** Whether identical rows were kept on the same side of the split (no train/test leakage through duplicates). */
  duplicateAware: boolean;
}

/** The snapshot failed validation or drifted beyond policy; the run stops here. */
export interface DataQuarantined {
  envelope: Envelope;
  /** Carried forward from data.ingested. */
  dataset: DatasetRefs;
  /** The full validation report (JSON). */
  report: ArtifactRef;
  /** INVALID: schema checks failed. DRIFTED: dataset-level drift beyond policy. INVALID_AND_DRIFTED: both. */
  verdict: QuarantineVerdict;
  /** Why, in words, one finding per entry. */
  reasons: string[];
  /** Columns whose drift exceeded their threshold. */
  driftedColumns: string[];
  /** Production model whose reference profile the data was compared with; null when there was none. */
  referenceModelVersion: string | null;
}

export type QuarantineVerdict = 'INVALID' | 'DRIFTED' | 'INVALID_AND_DRIFTED';

/** The preprocessor was fitted on train, both splits transformed and train rebalanced. */
export interface DataTransformed {
  envelope: Envelope;
  /** Carried forward from data.validated. */
  dataset: DatasetRefs;
  /** The fitted, portable preprocessor (imputation, scaling, encoding, target mapping). */
  preprocessor: ArtifactRef;
  /** Transformed training split, rebalanced when resampling is not NONE (the trainer refits the chosen model on it). */
  train: ArtifactRef;
  /** Transformed test split (never resampled). */
  test: ArtifactRef;
  /** Number of model input columns after encoding. */
  featureCount: number;
  /** Class balancing applied to train. */
  resampling: Resampling;
  /** Training rows per target class ('0', '1') before resampling. */
  classCountsBefore: Record<string, number>;
  /** Training rows per target class after resampling. */
  classCountsAfter: Record<string, number>;
  /** Transformed training split before resampling. The trainer cross-validates on it and rebalances inside each fold, so no synthetic training row is built from a validation row. Null when resampling is NONE (train is unbalanced already) and in events written as v1. */
  unbalancedTrain: ArtifactRef | null;
  /** How train was rebalanced, so the trainer rebalances each fold the same way; null when resampling is NONE and in events written as v1. */
  resamplingSettings: ResamplingSettings | null;
}

export type Resampling = 'NONE' | 'SMOTE_TOMEK';

export interface ResamplingSettings {
  /** SMOTE's nearest neighbours. */
  k: number;
  /** Seed of the synthetic-row draws. */
  seed: number;
}

/** The snapshot passed schema and drift checks and may be transformed. */
export interface DataValidated {
  envelope: Envelope;
  /** Carried forward from data.ingested. */
  dataset: DatasetRefs;
  /** The full validation report (JSON). */
  report: ArtifactRef;
  /** PASSED: every check passed. PASSED_WITH_WARNINGS: only non-blocking findings (listed in reasons). */
  verdict: ValidationVerdict;
  /** Findings in words; empty when nothing was found. */
  reasons: string[];
  /** Columns whose drift exceeded their threshold (fewer than the dataset-level share). */
  driftedColumns: string[];
  /** Production model whose reference profile the data was compared with; null when there was none. */
  referenceModelVersion: string | null;
}

export type ValidationVerdict = 'PASSED' | 'PASSED_WITH_WARNINGS';

/** The evaluator accepted the candidate: it cleared the floors and, if there is a production model, beat it by the margin. */
export interface ModelAccepted {
  envelope: Envelope;
  /** Version assigned to the candidate in the model registry. */
  modelVersion: string;
  /** Carried forward from model.trained. */
  bundle: ArtifactRef;
  /** Decision metric, e.g. 'f1'. */
  metric: string;
  /** Candidate's metrics on the held-out test set. */
  metrics: Record<string, number>;
  /** Candidate's metrics on the training split (for the train/test gap). */
  trainMetrics: Record<string, number>;
  /** Comparison with the production model; null when there was none and the floors alone decided. */
  comparison: ProductionComparison | null;
  /** BEATS_PRODUCTION: cleared the floors and the margin. FLOORS_ONLY: no production model, the floors decided. */
  verdict: AcceptanceVerdict;
  /** Each check and its outcome in words, e.g. 'f1 0.962 >= required 0.950'. */
  reasons: string[];
}

export type AcceptanceVerdict = 'BEATS_PRODUCTION' | 'FLOORS_ONLY';

/** The production alias moved to a model version; inference loads that bundle and swaps to it. */
export interface ModelPushed {
  envelope: Envelope;
  /** PUSH: a newly accepted model. ROLLBACK: back to an earlier version. PROMOTE: an operator promoted a named version. */
  action: PushAction;
  /** Registry alias that moved: production-<dataset> (v1 events: 'production', one alias for the whole deployment). It is the message key, so the compacted topic keeps the latest push of each dataset. */
  alias: string;
  /** Dataset whose production model this is (the bundle's dataset.name); empty in events written as v1, when one alias served the whole deployment. */
  dataset: string;
  /** Version the alias now points to. */
  modelVersion: string;
  /** Immutable copy of the bundle under the production prefix. */
  bundle: ArtifactRef;
  /** Version the alias pointed to before; null for the first push. */
  previousVersion: string | null;
  /** Why, in words (the evaluator's verdict or the operator's command reason). */
  reason: string;
  /** Sample records the pusher scored with the bundle loaded in isolation before moving the alias. */
  verifiedSamples: number;
}

export type PushAction = 'PUSH' | 'ROLLBACK' | 'PROMOTE';

/** The evaluator rejected the candidate; the run stops here and production is unchanged. */
export interface ModelQuarantined {
  envelope: Envelope;
  /** Version assigned to the candidate in the model registry. */
  modelVersion: string;
  /** Carried forward from model.trained. */
  bundle: ArtifactRef;
  /** Decision metric, e.g. 'f1'. */
  metric: string;
  /** Candidate's metrics on the held-out test set. */
  metrics: Record<string, number>;
  /** Candidate's metrics on the training split. */
  trainMetrics: Record<string, number>;
  /** Comparison with the production model; null when there was none. */
  comparison: ProductionComparison | null;
  /** Checks the candidate failed: METRIC_FLOOR (below the minimum), TRAIN_TEST_GAP (overfit), PRODUCTION_MARGIN (not better enough than production), SCORING_ERROR (could not be scored). */
  failedChecks: ModelCheck[];
  /** Why, in words, e.g. 'f1 0.951 < required 0.960'. */
  reasons: string[];
}

export type ModelCheck = 'METRIC_FLOOR' | 'TRAIN_TEST_GAP' | 'PRODUCTION_MARGIN' | 'SCORING_ERROR';

/** The trainer searched hyperparameters for several candidates and chose the best by cross-validation. */
export interface ModelTrained {
  envelope: Envelope;
  /** Carried forward from data.transformed. */
  dataset: DatasetRefs;
  /** Model bundle: the model, the preprocessor it was trained behind and the training reference profile. */
  bundle: ArtifactRef;
  /** Version the trainer registered the model under in the model registry; null in events written as v1 (look the model up by run). */
  modelVersion: string | null;
  /** Name of the chosen candidate, e.g. 'xgboost'. */
  candidate: string;
  /** Implementation that trains and scores it, with its version, e.g. 'xgboost@2.1'. */
  engine: string;
  /** Chosen hyperparameters, values as strings. */
  params: Record<string, string>;
  /** Selection metric, e.g. 'f1' (positive class). */
  metric: string;
  /** Mean of the metric over the cross-validation folds. */
  cvMean: number;
  /** Standard deviation of the metric over the folds. */
  cvStd: number;
  /** Number of stratified folds. */
  folds: number;
  /** Hyperparameter configurations tried, over all candidates. */
  trials: number;
  /** Best result of every candidate, best first (the chosen one included). */
  leaderboard: CandidateScore[];
}

export interface CandidateScore {
  /** Candidate name. */
  candidate: string;
  /** Mean CV metric of its best configuration. */
  cvMean: number;
  /** Standard deviation of that metric over the folds. */
  cvStd: number;
  /** Wall time spent searching and fitting this candidate. */
  trainSeconds: number;
}

/** Live feature drift of a sliding window of traffic against the production model's training profile. */
export interface DriftAlert {
  envelope: Envelope;
  /** Production model whose reference profile the window was compared with. */
  modelVersion: string;
  /** Records in the window. */
  windowSize: number;
  /** Observation time of the oldest record in the window. (timestamp-millis: epoch milliseconds, UTC) */
  windowStart: number;
  /** Observation time of the newest record in the window. (timestamp-millis: epoch milliseconds, UTC) */
  windowEnd: number;
  /** One entry per monitored feature. */
  features: FeatureDrift[];
  /** Share of monitored features that drifted, in [0, 1]. */
  shareDrifted: number;
  /** Share at which the window counts as drifted. */
  shareThreshold: number;
  /** What inference did: NONE (below threshold), ALERTED (drifted, automatic retrain disabled), RETRAIN_REQUESTED, or COOLDOWN (drifted but a retrain was requested too recently). */
  action: DriftAction;
  /** eventId of the RETRAIN command published, when action is RETRAIN_REQUESTED. */
  retrainCommandId: string | null;
}

export interface FeatureDrift {
  /** Original column name. */
  feature: string;
  /** Test used: 'ks' (numeric), 'psi', 'js' or 'chi2' (categorical). */
  statistic: string;
  /** Value of the statistic. */
  value: number;
  /** Threshold for this feature from config. */
  threshold: number;
  /** Whether value crossed threshold. */
  drifted: boolean;
}

export type DriftAction = 'NONE' | 'ALERTED' | 'RETRAIN_REQUESTED' | 'COOLDOWN';

/** An event a pipeline stage could not process: undecodable, or its handler failed on every one of its bounded retries. Kept byte-for-byte so it can be inspected and replayed. Same shape as DeadLetter (traffic.dlq); a distinct record name because every topic's schema must have its own fingerprint. */
export interface PipelineDeadLetter {
  envelope: Envelope;
  /** Topic the message was consumed from (with prefix). */
  originalTopic: string;
  /** Partition it was consumed from. */
  originalPartition: number;
  /** Offset it was consumed at. */
  originalOffset: number;
  /** Message key exactly as received; null when the message had none. */
  originalKey: Buffer | null;
  /** Message value exactly as received (may be undecodable, which is often why it is here). */
  originalValue: Buffer;
  /** Kafka timestamp of the original message. (timestamp-millis: epoch milliseconds, UTC) */
  originalTimestamp: number | null;
  /** Machine-readable cause: a ContractError code for an undecodable message, the error's own code, or 'HANDLER_FAILED'. */
  errorCode: string;
  /** Human-readable cause. Never contains secrets or whole payloads. */
  reason: string;
  /** Processing attempts made before giving up (1 = not retried). */
  attempts: number;
  /** When the stage gave up. (timestamp-millis: epoch milliseconds, UTC) */
  failedAt: number;
}

/** A message a stage could not process after bounded retries, kept byte-for-byte so it can be inspected and replayed. */
export interface DeadLetter {
  envelope: Envelope;
  /** Topic the message was consumed from (with prefix). */
  originalTopic: string;
  /** Partition it was consumed from. */
  originalPartition: number;
  /** Offset it was consumed at. */
  originalOffset: number;
  /** Message key exactly as received; null when the message had none. */
  originalKey: Buffer | null;
  /** Message value exactly as received (may be undecodable, which is often why it is here). */
  originalValue: Buffer;
  /** Kafka timestamp of the original message. (timestamp-millis: epoch milliseconds, UTC) */
  originalTimestamp: number | null;
  /** Machine-readable cause, e.g. 'UNKNOWN_SCHEMA', 'BAD_MARKER', 'MISSING_FEATURE' (ContractError codes or the stage's own). */
  errorCode: string;
  /** Human-readable cause. Never contains secrets or whole payloads. */
  reason: string;
  /** Processing attempts made before giving up (1 = not retried). */
  attempts: number;
  /** When the stage gave up. (timestamp-millis: epoch milliseconds, UTC) */
  failedAt: number;
}

/** The verdict for one traffic record: exactly one per record consumed, written in the same Kafka transaction as the consumer offset. */
export interface TrafficPrediction {
  envelope: Envelope;
  /** recordId of the scored traffic record. */
  recordId: string;
  /** source of the scored record (who observed it); empty for events written before v3. */
  source: string;
  /** Dataset the serving model was trained on (its schema name); empty for events written before v3. */
  dataset: string;
  /** Model probability of the positive (malicious) class, in [0, 1]. */
  score: number;
  /** Predicted label in the dataset's own vocabulary, e.g. 'phishing' or 'legitimate'. */
  label: string;
  /** Whether the predicted label is a positive (malicious) class. */
  isPositive: boolean;
  /** Model version that scored it. */
  modelVersion: string;
  /** Processing latency: from consuming the record's batch to producing this prediction, in milliseconds. */
  latencyMs: number;
  /** Decision threshold on score the label was derived with; null when unknown (always null for events written as v1). */
  threshold: number | null;
  /** Largest feature contributions to the score, keyed by original column name; null when not computed. */
  explanation: Record<string, number> | null;
  /** Time spent preprocessing and scoring the record's batch, in milliseconds (0 for events written before v3). */
  scoringMs: number;
  /** From the record's Kafka timestamp (when it was produced) to producing this prediction, in milliseconds; null when unknown. */
  endToEndMs: number | null;
}

/** One live network record to score. Written by external producers (sensors, proxies, log shippers) and by 'netsentry replay'. v2 adds a dense form: 'values' in the dataset schema's feature order, named by 'featureSet', beside the v1 map. */
export interface TrafficRecord {
  envelope: Envelope;
  /** Producer-assigned id, unique per source; the prediction echoes it. */
  recordId: string;
  /** Who observed it, e.g. 'proxy-eu-1'. */
  source: string;
  /** When the traffic was observed. (timestamp-millis: epoch milliseconds, UTC) */
  observedAt: number;
  /** Feature values keyed by the dataset's original column name (e.g. 'Flow Bytes/s'); null = missing. A map, not fields, because real column names are not valid Avro names and the same schema serves every dataset. Empty when the record uses the dense form ('values'). */
  features: Record<string, number | string | null>;
  /** The dense form's column order: 'fs1:' + the first 16 hex digits of the SHA-256 of the dataset schema's feature names joined by a newline (the served order is at inference's GET /features). Null for the map form. */
  featureSet: string | null;
  /** The dense form: one value per feature, in the order 'featureSet' names; null = missing. Decodes several times faster than the map (no column names on the wire). Empty for the map form. */
  values: Array<number | string | null>;
}

/** The event carried by each topic, in the shape of the topic's latest schema version. */
export interface EventByTopic {
  'admin.commands': AdminCommand;
  'data.ingested': DataIngested;
  'data.quarantined': DataQuarantined;
  'data.transformed': DataTransformed;
  'data.validated': DataValidated;
  'model.accepted': ModelAccepted;
  'model.pushed': ModelPushed;
  'model.quarantined': ModelQuarantined;
  'model.trained': ModelTrained;
  'monitoring.drift': DriftAlert;
  'pipeline.dlq': PipelineDeadLetter;
  'traffic.dlq': DeadLetter;
  'traffic.predictions': TrafficPrediction;
  'traffic.records': TrafficRecord;
}

export type TopicName = keyof EventByTopic;

/** Every topic that has a schema, sorted. */
export const TOPIC_NAMES: readonly TopicName[] = [
  'admin.commands',
  'data.ingested',
  'data.quarantined',
  'data.transformed',
  'data.validated',
  'model.accepted',
  'model.pushed',
  'model.quarantined',
  'model.trained',
  'monitoring.drift',
  'pipeline.dlq',
  'traffic.dlq',
  'traffic.predictions',
  'traffic.records',
];

/** Latest schema version of each topic: what encode writes and what envelope.schemaVersion says. */
export const LATEST_SCHEMA_VERSION: Readonly<Record<TopicName, number>> = {
  'admin.commands': 2,
  'data.ingested': 1,
  'data.quarantined': 1,
  'data.transformed': 2,
  'data.validated': 1,
  'model.accepted': 1,
  'model.pushed': 2,
  'model.quarantined': 1,
  'model.trained': 2,
  'monitoring.drift': 1,
  'pipeline.dlq': 1,
  'traffic.dlq': 1,
  'traffic.predictions': 3,
  'traffic.records': 2,
};
