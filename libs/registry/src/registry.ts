import type { ArtifactRef } from '@netsentry/contracts';
import type { Db, MongoClient } from 'mongodb';
import { AdminNonceRepository } from './admin-nonces';
import { ARTIFACT_KINDS, ArtifactRepository, toArtifactRef } from './artifacts';
import { ModelNotFoundError, RegistryConflictError } from './errors';
import { modelLineage, type ModelLineage } from './model-lineage';
import { ModelRepository } from './models';
import {
  PRODUCTION_ALIAS_PREFIX,
  ProductionAlias,
  datasetOfProductionAlias,
  productionAliasName,
  type AliasState,
} from './production-alias';
import { RunRepository } from './runs';
import { MongoStageExecutionStore } from './stage-executions';
import { TrialRepository } from './trials';

/** A dataset's production model, as an inference service loads it. */
export interface ProductionBundle {
  /** The model version the dataset's production alias points at. */
  readonly version: string;
  /** Its immutable copy under the production prefix (artifact kind 'model/production-bundle'). */
  readonly bundle: ArtifactRef;
  /** The alias revision: increases by one with every push, rollback or promotion of this dataset. */
  readonly revision: number;
}

/** Where one dataset's production alias points. */
export interface DatasetProduction extends AliasState {
  readonly dataset: string;
}

/** The run/model registry: one repository per collection over one database. */
export class Registry {
  readonly runs: RunRepository;
  readonly executions: MongoStageExecutionStore;
  readonly artifacts: ArtifactRepository;
  readonly models: ModelRepository;
  readonly trials: TrialRepository;
  readonly aliases: ProductionAlias;
  readonly adminNonces: AdminNonceRepository;

  constructor(readonly db: Db) {
    this.runs = new RunRepository(db);
    this.executions = new MongoStageExecutionStore(db);
    this.artifacts = new ArtifactRepository(db);
    this.models = new ModelRepository(db);
    this.trials = new TrialRepository(db);
    this.aliases = new ProductionAlias(db);
    this.adminNonces = new AdminNonceRepository(db);
  }

  /** The registry on `dbName`, with every unique index in place (idempotent; every service may call it). */
  static async connect(client: MongoClient, dbName: string): Promise<Registry> {
    const registry = new Registry(client.db(dbName));
    await registry.ensureIndexes();
    return registry;
  }

  /**
   * The production model of `dataset` and its immutable production copy, or null when nothing of that
   * dataset has been pushed. Throws when the alias points at a model or copy the registry does not hold
   * (the pusher records both before it moves an alias, so that is damage, not a state to serve from).
   */
  async productionBundle(dataset: string): Promise<ProductionBundle | null> {
    const head = await this.aliases.get(productionAliasName(dataset));
    if (head === null) return null;
    const model = await this.models.get(head.version);
    if (model === null) throw new ModelNotFoundError(head.version);
    const copy = (await this.artifacts.byRun(model.runId))
      .filter((a) => a.kind === ARTIFACT_KINDS.productionBundle && a.parents.includes(model.bundle.uri))
      .at(-1);
    if (copy === undefined) {
      throw new RegistryConflictError(
        'alias',
        head.alias,
        `points at ${head.version}, whose production copy (kind ${ARTIFACT_KINDS.productionBundle}) is not recorded`,
      );
    }
    return { version: head.version, bundle: toArtifactRef(copy), revision: head.revision };
  }

  /** Every dataset that has a production model, by dataset name. */
  async productions(): Promise<DatasetProduction[]> {
    const heads = await this.aliases.list(PRODUCTION_ALIAS_PREFIX);
    return heads.flatMap((head) => {
      const dataset = datasetOfProductionAlias(head.alias);
      return dataset === null ? [] : [{ ...head, dataset }];
    });
  }

  /**
   * Everything a model version traces back to: run, data snapshot and schema (sha256), each stage's
   * settings, code version and ledger row, the bundle's artifact ancestry, and what is missing (`gaps`).
   * Null for an unknown version.
   */
  modelLineage(version: string): Promise<ModelLineage | null> {
    return modelLineage(this, version);
  }

  async ensureIndexes(): Promise<void> {
    await this.runs.ensureIndexes();
    await this.executions.ensureIndexes();
    await this.artifacts.ensureIndexes();
    await this.models.ensureIndexes();
    await this.trials.ensureIndexes();
    await this.aliases.ensureIndexes();
    await this.adminNonces.ensureIndexes();
  }
}
