import { CodedError } from '@netsentry/contracts/coded-error';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import type { EngineKind, FeatureMatrix, TrainedModel } from '../engines/engine';
import { unpackModel } from '../engines/model-bytes';
import { loadModel } from '../engines/models';
import type { Frame } from '../frame';
import { PreprocessingError } from '../preprocessing/errors';
import { applyPreprocessor, type FittedPreprocessor } from '../preprocessing/preprocessor';
import { parsePreprocessor } from '../preprocessing/preprocessor-artifact';
import { assertDatasetProfile, type DatasetProfile } from '../stats/profile';

/**
 * The model bundle: one portable, versioned JSON document holding everything needed to score raw records
 * the way the trainer did — the model bytes, the fitted preprocessor it was trained behind, the training
 * data's reference profile (for drift), the decision threshold and the provenance of the training.
 * Evaluator, pusher and inference all score through `openBundle`, so there is one scoring path.
 */
export const BUNDLE_FORMAT = 'netsentry/model-bundle@1';
export const BUNDLE_MEDIA_TYPE = 'application/json';

export type BundleParamValue = number | string | boolean;

export interface BundleCandidateScore {
  readonly candidate: string;
  readonly cvMean: number;
  readonly cvStd: number;
  readonly trainSeconds: number;
}

export interface ModelBundle {
  readonly format: typeof BUNDLE_FORMAT;
  /** The engine that trains and scores the model, with its implementation version. */
  readonly engine: { readonly kind: EngineKind; readonly version: string };
  /** Name of the chosen candidate (from the trainer's candidates file). */
  readonly candidate: string;
  /** Chosen hyperparameters as the search expressed them. */
  readonly params: Readonly<Record<string, BundleParamValue>>;
  /** `TrainedModel.toBytes()`, base64, with the sha256 of the raw bytes. */
  readonly model: { readonly encoding: 'base64'; readonly sha256: string; readonly data: string };
  /** The fitted preprocessor, exactly as `serializePreprocessor` writes it (parsed). */
  readonly preprocessor: FittedPreprocessor;
  /** Profile of the training data (before preprocessing), for live drift checks. */
  readonly referenceProfile: DatasetProfile;
  readonly dataset: { readonly name: string; readonly schemaSha256: string };
  /** Model input columns, in order; equal to the preprocessor's outputFeatures. */
  readonly featureNames: readonly string[];
  /** score ≥ threshold → positive. */
  readonly threshold: number;
  /** Display names of label 0 and label 1. */
  readonly classLabels: { readonly negative: string; readonly positive: string };
  readonly training: {
    readonly runId: string;
    /** ISO 8601, UTC. */
    readonly trainedAt: string;
    readonly metric: string;
    readonly cvMean: number;
    readonly cvStd: number;
    readonly folds: number;
    /** Hyperparameter configurations tried over all candidates. */
    readonly trials: number;
    /** Best result per candidate, best first. */
    readonly leaderboard: readonly BundleCandidateScore[];
  };
}

export type BundleErrorCode = 'BUNDLE_INVALID' | 'BUNDLE_VERSION';

export class BundleError extends CodedError<BundleErrorCode> {
  constructor(
    readonly code: BundleErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export interface BuildBundleInput {
  readonly model: TrainedModel | Uint8Array;
  readonly engineVersion?: string;
  readonly candidate: string;
  readonly params: Readonly<Record<string, BundleParamValue>>;
  readonly preprocessor: FittedPreprocessor;
  readonly referenceProfile: DatasetProfile;
  readonly dataset: { readonly name: string; readonly schemaSha256: string };
  readonly threshold?: number;
  readonly classLabels?: { readonly negative: string; readonly positive: string };
  readonly training: ModelBundle['training'];
}

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

let xgboostVersion: string | undefined;

/** The implementation behind an engine kind, with its version, e.g. 'ml-xgboost@1.1.2'. */
export function engineVersion(kind: EngineKind): string {
  if (kind === 'random-forest') return 'netsentry-forest@1';
  if (xgboostVersion === undefined) {
    try {
      const pkg = createRequire(__filename)('ml-xgboost/package.json') as { version?: string };
      xgboostVersion = `ml-xgboost@${pkg.version ?? 'unknown'}`;
    } catch {
      xgboostVersion = 'ml-xgboost@unknown';
    }
  }
  return xgboostVersion;
}

/** Assembles a bundle; the model's kind and column count are read from its byte envelope when given bytes. */
export function buildBundle(input: BuildBundleInput): ModelBundle {
  const bytes = input.model instanceof Uint8Array ? input.model : input.model.toBytes();
  const kind = modelKind(bytes);
  const bundle: ModelBundle = {
    format: BUNDLE_FORMAT,
    engine: { kind, version: input.engineVersion ?? engineVersion(kind) },
    candidate: input.candidate,
    params: { ...input.params },
    model: { encoding: 'base64', sha256: sha256(bytes), data: Buffer.from(bytes).toString('base64') },
    preprocessor: input.preprocessor,
    referenceProfile: input.referenceProfile,
    dataset: { name: input.dataset.name, schemaSha256: input.dataset.schemaSha256 },
    featureNames: [...input.preprocessor.outputFeatures],
    threshold: input.threshold ?? 0.5,
    classLabels: input.classLabels ?? { negative: 'benign', positive: 'malicious' },
    training: { ...input.training, leaderboard: input.training.leaderboard.map((c) => ({ ...c })) },
  };
  return parseBundle(serializeBundle(bundle));
}

/** The artifact's bytes: JSON with a trailing newline. Same bundle → same bytes. */
export function serializeBundle(bundle: ModelBundle): string {
  return `${JSON.stringify(bundle)}\n`;
}

function modelKind(bytes: Uint8Array): EngineKind {
  let kind: unknown;
  try {
    kind = unpackModel(bytes).header.kind;
  } catch (e) {
    throw new BundleError('BUNDLE_INVALID', `model bytes: ${(e as Error).message}`);
  }
  if (kind === 'xgboost' || kind === 'random-forest') return kind;
  throw new BundleError('BUNDLE_INVALID', `model bytes: unknown engine kind ${JSON.stringify(kind)}`);
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isFiniteNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/**
 * Reads a bundle written by `serializeBundle`, checking its shape, the embedded preprocessor and profile,
 * and the model bytes' sha256. Another format or version → `BUNDLE_VERSION`; anything else → `BUNDLE_INVALID`
 * listing every problem.
 */
export function parseBundle(text: string | Buffer): ModelBundle {
  let data: unknown;
  try {
    data = JSON.parse(typeof text === 'string' ? text : text.toString('utf8'));
  } catch (e) {
    throw new BundleError('BUNDLE_INVALID', `model bundle is not JSON: ${(e as Error).message}`);
  }
  if (!isObject(data)) throw new BundleError('BUNDLE_INVALID', 'model bundle is not a JSON object');
  if (data.format !== BUNDLE_FORMAT) {
    throw new BundleError(
      'BUNDLE_VERSION',
      `model bundle format ${JSON.stringify(data.format)} is not supported (this code reads '${BUNDLE_FORMAT}')`,
    );
  }
  const problems: string[] = [];
  const need = (ok: boolean, what: string): void => {
    if (!ok) problems.push(what);
  };
  const engine = data.engine;
  need(
    isObject(engine) &&
      (engine.kind === 'xgboost' || engine.kind === 'random-forest') &&
      typeof engine.version === 'string',
    'engine: expected {kind: xgboost|random-forest, version}',
  );
  need(typeof data.candidate === 'string' && data.candidate.length > 0, 'candidate: expected a name');
  need(
    isObject(data.params) &&
      Object.values(data.params).every(
        (v) => isFiniteNumber(v) || typeof v === 'string' || typeof v === 'boolean',
      ),
    'params: expected an object of numbers, strings or booleans',
  );
  const model = data.model;
  if (
    isObject(model) &&
    model.encoding === 'base64' &&
    typeof model.data === 'string' &&
    typeof model.sha256 === 'string'
  ) {
    const bytes = Buffer.from(model.data, 'base64');
    need(sha256(bytes) === model.sha256, 'model.sha256: does not match the model bytes');
    if (isObject(engine) && problems.length === 0) {
      try {
        need(modelKind(bytes) === engine.kind, `model: bytes are not a ${String(engine.kind)} model`);
      } catch (e) {
        problems.push((e as Error).message);
      }
    }
  } else problems.push('model: expected {encoding: base64, sha256, data}');
  let preprocessor: FittedPreprocessor | undefined;
  try {
    preprocessor = parsePreprocessor(JSON.stringify(data.preprocessor));
  } catch (e) {
    problems.push(`preprocessor: ${e instanceof PreprocessingError ? e.message : String(e)}`);
  }
  try {
    assertDatasetProfile(data.referenceProfile);
  } catch (e) {
    problems.push(`referenceProfile: ${(e as Error).message}`);
  }
  const dataset = data.dataset;
  need(
    isObject(dataset) &&
      typeof dataset.name === 'string' &&
      typeof dataset.schemaSha256 === 'string' &&
      /^[0-9a-f]{64}$/.test(dataset.schemaSha256),
    'dataset: expected {name, schemaSha256 (64 hex)}',
  );
  const names = data.featureNames;
  if (Array.isArray(names) && names.every((n) => typeof n === 'string')) {
    if (preprocessor && JSON.stringify(names) !== JSON.stringify(preprocessor.outputFeatures)) {
      problems.push("featureNames: differ from the preprocessor's outputFeatures");
    }
  } else problems.push('featureNames: expected an array of strings');
  need(
    isFiniteNumber(data.threshold) && data.threshold >= 0 && data.threshold <= 1,
    'threshold: expected a number in [0, 1]',
  );
  const labels = data.classLabels;
  need(
    isObject(labels) && typeof labels.negative === 'string' && typeof labels.positive === 'string',
    'classLabels: expected {negative, positive}',
  );
  const t = data.training;
  if (isObject(t)) {
    need(typeof t.runId === 'string', 'training.runId: expected a string');
    need(
      typeof t.trainedAt === 'string' && !Number.isNaN(Date.parse(t.trainedAt)),
      'training.trainedAt: expected an ISO date',
    );
    need(typeof t.metric === 'string', 'training.metric: expected a string');
    for (const k of ['cvMean', 'cvStd'] as const)
      need(isFiniteNumber(t[k]), `training.${k}: expected a number`);
    for (const k of ['folds', 'trials'] as const) {
      need(Number.isInteger(t[k]) && (t[k] as number) >= 1, `training.${k}: expected a positive integer`);
    }
    need(
      Array.isArray(t.leaderboard) &&
        t.leaderboard.every(
          (c) =>
            isObject(c) &&
            typeof c.candidate === 'string' &&
            isFiniteNumber(c.cvMean) &&
            isFiniteNumber(c.cvStd) &&
            isFiniteNumber(c.trainSeconds),
        ),
      'training.leaderboard: expected [{candidate, cvMean, cvStd, trainSeconds}]',
    );
  } else problems.push('training: expected an object');
  if (problems.length > 0) {
    throw new BundleError(
      'BUNDLE_INVALID',
      `invalid model bundle (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
        problems.map((p) => `  - ${p}`).join('\n'),
    );
  }
  return data as unknown as ModelBundle;
}

/** A loaded bundle: the one scoring path (preprocess, then the model's P(positive)). */
export interface OpenBundle {
  readonly bundle: ModelBundle;
  /** Raw records (columns by name or Avro field) → P(positive) per row. */
  scoreFrame(frame: Frame): Float64Array;
  /** An already-preprocessed matrix (e.g. transform's test matrix) → P(positive) per row. */
  scoreMatrix(X: FeatureMatrix, rows: number, cols: number): Float64Array;
  /** Releases the model's native memory; the bundle cannot score afterwards. Idempotent. */
  free(): void;
}

/** Loads the model of a bundle (parsed with `parseBundle`, or given as its text). */
export async function openBundle(input: ModelBundle | string | Buffer): Promise<OpenBundle> {
  const bundle = typeof input === 'string' || Buffer.isBuffer(input) ? parseBundle(input) : input;
  const model = await loadModel(Buffer.from(bundle.model.data, 'base64'));
  const cols = bundle.featureNames.length;
  if (model.cols !== cols) {
    model.free();
    throw new BundleError('BUNDLE_INVALID', `model expects ${model.cols} columns, bundle names ${cols}`);
  }
  return {
    bundle,
    scoreFrame(frame: Frame): Float64Array {
      const m = applyPreprocessor(bundle.preprocessor, frame);
      if (m.rows === 0) return new Float64Array(0);
      return model.predictProba(m.X, m.rows, m.cols);
    },
    scoreMatrix(X: FeatureMatrix, rows: number, c: number): Float64Array {
      if (rows === 0) return new Float64Array(0);
      return model.predictProba(X, rows, c);
    },
    free(): void {
      model.free();
    },
  };
}
