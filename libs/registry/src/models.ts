import type { ArtifactRef } from '@netsentry/contracts';
import type { Collection, Db, WithId } from 'mongodb';
import { COLLECTIONS } from './collections';
import { ModelNotFoundError, RegistryConflictError, RegistryValueError } from './errors';
import { assertName, assertStorable, isDuplicateKeyError, withoutId } from './storable';
import { TransitionLog, type Transition } from './transition-log';

export type ModelStatus = 'trained' | 'accepted' | 'quarantined' | 'pushed' | 'retired';
export type ParamValue = number | string | boolean | null;
export type Params = Record<string, ParamValue>;
/** Metric name → value, e.g. { f1: 0.95, precision: 0.93 }. Finite numbers only. */
export type Metrics = Record<string, number>;

/** One status change, as kept in the transition log (newest last). */
export interface ModelTransition {
  revision: number;
  from: ModelStatus;
  to: ModelStatus;
  reasons: string[] | null;
  at: Date;
}

interface ModelPatch {
  from: ModelStatus;
  to: ModelStatus;
  reasons: string[] | null;
  testMetrics: Metrics | null;
}

export interface ModelRecord {
  version: string;
  runId: string;
  /**
   * The dataset it was trained on (its production alias is `productionAliasName(dataset)`); null for
   * models registered before the field existed — their bundle names it (`bundle.dataset.name`).
   */
  dataset: string | null;
  /** The model bundle (model + preprocessor) in S3. */
  bundle: ArtifactRef;
  /** Candidate family, e.g. 'xgboost', 'random-forest'. */
  candidate: string;
  params: Params;
  cvMetrics: Metrics;
  testMetrics: Metrics | null;
  status: ModelStatus;
  /** Why it has its status, in words ("f1 0.951 < required 0.960"). */
  reasons: string[];
  /** Status changes so far; each took one unique revision in the transition log. */
  revision: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface RegisterModelInput {
  /** Supplied, or derived from createdAt and the bundle's sha256 (see modelVersion). */
  version?: string;
  runId: string;
  /** The dataset's name, as in its schema file. */
  dataset?: string;
  bundle: ArtifactRef;
  candidate: string;
  params: Params;
  cvMetrics: Metrics;
  createdAt?: Date;
}

export interface TransitionExtra {
  reasons?: string[];
  testMetrics?: Metrics;
}

const VERSION = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** `m-<yyyymmddHHMMss>-<first 8 of sha256>` in UTC: sortable by time, unique by content. */
export function modelVersion(createdAt: Date, sha256: string): string {
  const stamp = createdAt.toISOString().replace(/[-:T]/g, '').slice(0, 14);
  return `m-${stamp}-${sha256.slice(0, 8)}`;
}

const MAX_TRANSITION_ROUNDS = 5;

/**
 * Trained models and their lifecycle. A status change is a compare-and-set made atomic by the transition
 * log (unique revision per model), then copied to the model row; reads apply any change a crash left
 * uncopied.
 */
export class ModelRepository {
  private readonly collection: Collection<ModelRecord>;
  private readonly log: TransitionLog<ModelPatch>;

  constructor(db: Db) {
    this.collection = db.collection<ModelRecord>(COLLECTIONS.models);
    this.log = new TransitionLog<ModelPatch>(db, 'model');
  }

  async ensureIndexes(): Promise<void> {
    await this.log.ensureIndexes();
    await this.collection.createIndex({ version: 1 }, { unique: true, name: 'version_unique' });
    await this.collection.createIndex({ runId: 1 }, { name: 'runId' });
    await this.collection.createIndex({ status: 1, createdAt: -1 }, { name: 'status_createdAt' });
  }

  /** Registers a trained model; registering the same one again returns the stored row (redelivery). */
  async register(input: RegisterModelInput): Promise<ModelRecord> {
    const createdAt = input.createdAt ?? new Date();
    const version = input.version ?? modelVersion(createdAt, input.bundle.sha256);
    if (!VERSION.test(version))
      throw new RegistryValueError('version', `'${version}' must match ${VERSION.source}`);
    assertName(input.candidate, 'candidate');
    if (input.dataset !== undefined) assertName(input.dataset, 'dataset');
    assertStorable(input.params, 'params');
    assertStorable(input.cvMetrics, 'cvMetrics');
    const record: ModelRecord = {
      version,
      runId: input.runId,
      dataset: input.dataset ?? null,
      bundle: { ...input.bundle },
      candidate: input.candidate,
      params: { ...input.params },
      cvMetrics: { ...input.cvMetrics },
      testMetrics: null,
      status: 'trained',
      reasons: [],
      revision: 0,
      createdAt,
      updatedAt: createdAt,
    };
    try {
      await this.collection.insertOne({ ...record });
      return record;
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err;
    }
    const existing = await this.get(version);
    if (existing === null) throw new ModelNotFoundError(version);
    if (existing.runId !== record.runId || existing.bundle.sha256 !== record.bundle.sha256) {
      throw new RegistryConflictError(
        'model',
        version,
        `registered by run ${existing.runId} with bundle ${existing.bundle.sha256}`,
      );
    }
    return existing;
  }

  /**
   * Moves a model from one of `from` to `to`, atomically; false when its status was not in `from` — so a
   * redelivered accept or push applies once. `reasons` replace the previous ones.
   */
  async transition(
    version: string,
    from: ModelStatus[],
    to: ModelStatus,
    extra: TransitionExtra = {},
  ): Promise<boolean> {
    if (extra.testMetrics) assertStorable(extra.testMetrics, 'testMetrics');
    for (let round = 0; round < MAX_TRANSITION_ROUNDS; round++) {
      const current = await this.get(version);
      if (current === null) throw new ModelNotFoundError(version);
      if (!from.includes(current.status)) return false;
      const patch: ModelPatch = {
        from: current.status,
        to,
        reasons: extra.reasons ? [...extra.reasons] : null,
        testMetrics: extra.testMetrics ? { ...extra.testMetrics } : null,
      };
      const transition = { revision: current.revision + 1, patch, at: new Date() };
      if (await this.log.append(version, transition.revision, patch, transition.at)) {
        await this.apply(version, transition);
        return true;
      }
      // Another change took this revision first: decide again from the new status.
    }
    return false;
  }

  /** The model's status changes, oldest first. */
  async transitions(version: string): Promise<ModelTransition[]> {
    return (await this.log.all(version)).map((t) => ({
      revision: t.revision,
      from: t.patch.from,
      to: t.patch.to,
      reasons: t.patch.reasons,
      at: t.at,
    }));
  }

  async get(version: string): Promise<ModelRecord | null> {
    const row = await this.collection.findOne({ version });
    if (row === null) return null;
    let model = toModel(row);
    for (const pending of await this.log.after(version, model.revision)) {
      await this.apply(version, pending);
      model = patched(model, pending);
    }
    return model;
  }

  /** Newest first. `dataset` matches only models registered with their dataset (see ModelRecord.dataset). */
  async list(
    options: { status?: ModelStatus; runId?: string; dataset?: string; limit?: number } = {},
  ): Promise<ModelRecord[]> {
    const filter: { status?: ModelStatus; runId?: string; dataset?: string } = {};
    if (options.status) filter.status = options.status;
    if (options.runId) filter.runId = options.runId;
    if (options.dataset) filter.dataset = options.dataset;
    const rows = await this.collection
      .find(filter)
      .sort({ createdAt: -1 })
      .limit(options.limit ?? 20)
      .toArray();
    return rows.map((row) => toModel(row));
  }

  /** Copies a logged change to the row; a no-op when the row already has it. */
  private async apply(
    version: string,
    t: Pick<Transition<ModelPatch>, 'revision' | 'patch' | 'at'>,
  ): Promise<void> {
    await this.collection.updateOne(
      { version, revision: t.revision - 1 },
      {
        $set: {
          status: t.patch.to,
          revision: t.revision,
          updatedAt: t.at,
          ...(t.patch.reasons ? { reasons: t.patch.reasons } : {}),
          ...(t.patch.testMetrics ? { testMetrics: t.patch.testMetrics } : {}),
        },
      },
    );
  }
}

function patched(
  model: ModelRecord,
  t: Pick<Transition<ModelPatch>, 'revision' | 'patch' | 'at'>,
): ModelRecord {
  return {
    ...model,
    status: t.patch.to,
    revision: t.revision,
    updatedAt: t.at,
    reasons: t.patch.reasons ?? model.reasons,
    testMetrics: t.patch.testMetrics ?? model.testMetrics,
  };
}

function toModel(row: WithId<ModelRecord>): ModelRecord {
  const model = withoutId(row);
  return {
    ...model,
    dataset: model.dataset ?? null,
    testMetrics: model.testMetrics ?? null,
    reasons: model.reasons ?? [],
    revision: model.revision ?? 0,
  };
}
