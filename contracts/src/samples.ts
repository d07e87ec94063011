import type {
  ArtifactRef,
  DatasetRefs,
  Envelope,
  EventByTopic,
  ProductionComparison,
  TopicName,
} from './generated/types';
import { LATEST_SCHEMA_VERSION } from './generated/types';

// Realistic, deterministic events — one per topic, all from the same run where they belong to one — for
// tests across the repo. Each call builds fresh objects, so tests may mutate what they get.

export const SAMPLE_RUN_ID = '5b0e6c1e-8f1e-4d4b-9a53-2f7c1d0b9e11';
export const SAMPLE_COMMAND_ID = 'c7d8a3b2-0f4e-4c61-8d2a-6e5f4b3a2c10';
const AT = Date.UTC(2025, 2, 1, 12, 0, 0);
const BUCKET = 's3://netsentry-artifacts';

function envelope(
  topic: TopicName,
  service: string,
  n: number,
  run: string | null = SAMPLE_RUN_ID,
): Envelope {
  return {
    eventId: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    runId: run,
    correlationId: SAMPLE_COMMAND_ID,
    causationId: n === 1 ? SAMPLE_COMMAND_ID : `00000000-0000-4000-8000-${String(n - 1).padStart(12, '0')}`,
    producer: { service, version: '0.1.0' },
    occurredAt: AT + n * 60_000,
    schemaVersion: LATEST_SCHEMA_VERSION[topic],
  };
}

function artifact(
  key: string,
  sizeBytes: number,
  mediaType: string,
  rowCount: number | null = null,
): ArtifactRef {
  return {
    uri: `${BUCKET}/${key}`,
    sha256: Buffer.from(key).toString('hex').padEnd(64, '0').slice(0, 64),
    sizeBytes,
    rowCount,
    mediaType,
  };
}

function dataset(): DatasetRefs {
  const prefix = `runs/${SAMPLE_RUN_ID}/data`;
  return {
    datasetName: 'phishing',
    schema: { name: 'phishing.schema.yaml', sha256: 'a3f1c2'.padEnd(64, '7') },
    snapshot: artifact(`${prefix}/snapshot.csv`, 2_914_330, 'text/csv', 11_430),
    train: artifact(`${prefix}/train.csv`, 2_331_464, 'text/csv', 9_144),
    test: artifact(`${prefix}/test.csv`, 582_866, 'text/csv', 2_286),
  };
}

const BUNDLE = (): ArtifactRef =>
  artifact(`runs/${SAMPLE_RUN_ID}/model/bundle.tar`, 4_120_576, 'application/x-netsentry-bundle+tar');
const COMPARISON = (): ProductionComparison => ({
  productionVersion: 'v41',
  metric: 'f1',
  candidateScore: 0.9617,
  productionScore: 0.9402,
  requiredMargin: 0.02,
  productionMetrics: { f1: 0.9402, precision: 0.9311, recall: 0.9495, roc_auc: 0.9876 },
});

const FACTORIES: { [T in TopicName]: () => EventByTopic[T] } = {
  'admin.commands': () => ({
    envelope: {
      ...envelope('admin.commands', 'cli', 0, null),
      eventId: SAMPLE_COMMAND_ID,
      causationId: null,
    },
    command: 'RETRAIN',
    reason: 'weekly retrain',
    requestedBy: 'ops@example.com',
    targetModelVersion: null,
    datasetName: 'phishing',
    nonce: '5f0c9a7e-4d1b-4f7e-9a53-2c8e1b6d7f40',
    signature: '9c1e4b7d2a8f03e6c5b19d7a4e2f8c0b6d3a9e1f7c4b2d8a0e6f3c9b1d7a4e20',
  }),
  'data.ingested': () => ({
    envelope: envelope('data.ingested', 'ingestion', 1),
    dataset: dataset(),
    rows: { snapshot: 11_430, train: 9_144, test: 2_286, duplicates: 37 },
    split: { testRatio: 0.2, seed: 42, stratified: true, duplicateAware: true },
  }),
  'data.validated': () => ({
    envelope: envelope('data.validated', 'validation', 2),
    dataset: dataset(),
    report: artifact(`runs/${SAMPLE_RUN_ID}/validation/report.json`, 18_204, 'application/json'),
    verdict: 'PASSED_WITH_WARNINGS',
    reasons: ["column 'web_traffic' drifted vs production profile (ks 0.142 > 0.100)"],
    driftedColumns: ['web_traffic'],
    referenceModelVersion: 'v41',
  }),
  'data.quarantined': () => ({
    envelope: envelope('data.quarantined', 'validation', 2),
    dataset: dataset(),
    report: artifact(`runs/${SAMPLE_RUN_ID}/validation/report.json`, 21_877, 'application/json'),
    verdict: 'INVALID_AND_DRIFTED',
    reasons: [
      "unexpected column 'Flow Bytes/s'",
      "missing ratio of 'page_rank' 0.31 > allowed 0.20",
      'share of drifted columns 0.40 > 0.30',
    ],
    driftedColumns: ['page_rank', 'web_traffic', 'domain_age', 'links_pointing_to_page'],
    referenceModelVersion: 'v41',
  }),
  'data.transformed': () => ({
    envelope: envelope('data.transformed', 'transform', 3),
    dataset: dataset(),
    preprocessor: artifact(`runs/${SAMPLE_RUN_ID}/transform/preprocessor.json`, 96_112, 'application/json'),
    train: artifact(`runs/${SAMPLE_RUN_ID}/transform/train.csv`, 3_102_950, 'text/csv', 9_188),
    test: artifact(`runs/${SAMPLE_RUN_ID}/transform/test.csv`, 640_080, 'text/csv', 2_286),
    featureCount: 87,
    resampling: 'SMOTE_TOMEK',
    classCountsBefore: { '0': 3_918, '1': 4_926 },
    classCountsAfter: { '0': 4_901, '1': 4_901 },
    unbalancedTrain: artifact(
      `runs/${SAMPLE_RUN_ID}/transform/train-unbalanced.nsmx`,
      2_790_330,
      'application/x-netsentry-matrix',
      8_844,
    ),
    resamplingSettings: { k: 5, seed: 42 },
  }),
  'model.trained': () => ({
    envelope: envelope('model.trained', 'trainer', 4),
    dataset: dataset(),
    bundle: BUNDLE(),
    modelVersion: 'v42',
    candidate: 'xgboost',
    engine: 'xgboost@2.1.4',
    params: { max_depth: '6', eta: '0.1', n_estimators: '400', subsample: '0.8' },
    metric: 'f1',
    cvMean: 0.9583,
    cvStd: 0.0041,
    folds: 5,
    trials: 48,
    leaderboard: [
      { candidate: 'xgboost', cvMean: 0.9583, cvStd: 0.0041, trainSeconds: 212.4 },
      { candidate: 'random-forest', cvMean: 0.9511, cvStd: 0.0056, trainSeconds: 145.9 },
    ],
  }),
  'model.accepted': () => ({
    envelope: envelope('model.accepted', 'evaluator', 5),
    modelVersion: 'v42',
    bundle: BUNDLE(),
    metric: 'f1',
    metrics: { f1: 0.9617, precision: 0.9558, recall: 0.9677, roc_auc: 0.9912 },
    trainMetrics: { f1: 0.9841, precision: 0.9822, recall: 0.986, roc_auc: 0.9987 },
    comparison: COMPARISON(),
    verdict: 'BEATS_PRODUCTION',
    reasons: [
      'f1 0.962 >= required 0.900',
      'train/test gap 0.022 <= allowed 0.050',
      'f1 0.962 beats production v41 0.940 by 0.022 >= margin 0.020',
    ],
  }),
  'model.quarantined': () => ({
    envelope: envelope('model.quarantined', 'evaluator', 5),
    modelVersion: 'v42',
    bundle: BUNDLE(),
    metric: 'f1',
    metrics: { f1: 0.951, precision: 0.944, recall: 0.958 },
    trainMetrics: { f1: 0.999, precision: 0.999, recall: 0.999 },
    comparison: { ...COMPARISON(), candidateScore: 0.951 },
    failedChecks: ['TRAIN_TEST_GAP', 'PRODUCTION_MARGIN'],
    reasons: ['train/test gap 0.048 ... f1 0.951 < required 0.960 (production 0.940 + margin 0.020)'],
  }),
  'model.pushed': () => ({
    envelope: envelope('model.pushed', 'pusher', 6),
    action: 'PUSH',
    alias: 'production-phishing',
    dataset: 'phishing',
    modelVersion: 'v42',
    bundle: artifact('production/v42/bundle.tar', 4_120_576, 'application/x-netsentry-bundle+tar'),
    previousVersion: 'v41',
    reason: 'accepted: f1 0.962 beats production v41 0.940 by 0.022',
    verifiedSamples: 200,
  }),
  'traffic.records': () => ({
    envelope: envelope('traffic.records', 'proxy-eu-1', 100, null),
    recordId: 'proxy-eu-1:000000918273',
    source: 'proxy-eu-1',
    observedAt: AT + 5_999,
    features: { 'Flow Bytes/s': 1532.75, 'Destination Port': 443, Protocol: 'tcp', 'Flow IAT Min': null },
    featureSet: null,
    values: [],
  }),
  'traffic.predictions': () => ({
    envelope: envelope('traffic.predictions', 'inference', 101, null),
    recordId: 'proxy-eu-1:000000918273',
    source: 'proxy-eu-1',
    dataset: 'cic-ids2017',
    score: 0.9731,
    label: 'malicious',
    isPositive: true,
    modelVersion: 'v42',
    latencyMs: 3.8,
    threshold: 0.5,
    explanation: { 'Flow Bytes/s': 0.41, 'Destination Port': 0.12 },
    scoringMs: 0.9,
    endToEndMs: 12.4,
  }),
  'traffic.dlq': () => ({
    envelope: envelope('traffic.dlq', 'inference', 102, null),
    originalTopic: 'prod.traffic.records',
    originalPartition: 7,
    originalOffset: 1_048_576,
    originalKey: Buffer.from('proxy-eu-1:000000918274'),
    originalValue: Buffer.from([0x7b, 0x22, 0x6e, 0x6f, 0x74, 0x20, 0x61, 0x76, 0x72, 0x6f]),
    originalTimestamp: AT + 6_001,
    errorCode: 'BAD_MARKER',
    reason: "not an Avro single-object message: expected marker c301, found '7b22'",
    attempts: 1,
    failedAt: AT + 6_010,
  }),
  'pipeline.dlq': () => ({
    envelope: envelope('pipeline.dlq', 'trainer', 104),
    originalTopic: 'prod.data.transformed',
    originalPartition: 1,
    originalOffset: 42,
    originalKey: Buffer.from(SAMPLE_RUN_ID),
    originalValue: Buffer.from([0xc3, 0x01, 0x86, 0xdd, 0x1f, 0x9e, 0x34, 0x5b, 0xa8, 0x39]),
    originalTimestamp: AT + 3 * 60_000,
    errorCode: 'HANDLER_FAILED',
    reason: 'xgboost exited with code 137 (out of memory)',
    attempts: 5,
    failedAt: AT + 9 * 60_000,
  }),
  'monitoring.drift': () => ({
    envelope: envelope('monitoring.drift', 'inference', 103, null),
    modelVersion: 'v42',
    windowSize: 5_000,
    windowStart: AT,
    windowEnd: AT + 900_000,
    features: [
      { feature: 'Flow Bytes/s', statistic: 'ks', value: 0.183, threshold: 0.1, drifted: true },
      { feature: 'Protocol', statistic: 'psi', value: 0.04, threshold: 0.2, drifted: false },
    ],
    shareDrifted: 0.5,
    shareThreshold: 0.3,
    action: 'RETRAIN_REQUESTED',
    retrainCommandId: 'e1f2a3b4-c5d6-4e7f-8a9b-0c1d2e3f4a5b',
  }),
};

/** A fresh, realistic sample event for `topic` in the shape of its latest schema. */
export function sampleEvent<T extends TopicName>(topic: T): EventByTopic[T] {
  return FACTORIES[topic]();
}
