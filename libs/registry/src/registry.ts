import type { Db, MongoClient } from 'mongodb';
import { ArtifactRepository } from './artifacts';
import { modelLineage, type ModelLineage } from './model-lineage';
import { ModelRepository } from './models';
import { ProductionAlias } from './production-alias';
import { RunRepository } from './runs';
import { MongoStageExecutionStore } from './stage-executions';
import { TrialRepository } from './trials';

/** The run/model registry: one repository per collection over one database. */
export class Registry {
  readonly runs: RunRepository;
  readonly executions: MongoStageExecutionStore;
  readonly artifacts: ArtifactRepository;
  readonly models: ModelRepository;
  readonly trials: TrialRepository;
  readonly aliases: ProductionAlias;

  constructor(readonly db: Db) {
    this.runs = new RunRepository(db);
    this.executions = new MongoStageExecutionStore(db);
    this.artifacts = new ArtifactRepository(db);
    this.models = new ModelRepository(db);
    this.trials = new TrialRepository(db);
    this.aliases = new ProductionAlias(db);
  }

  /** The registry on `dbName`, with every unique index in place (idempotent; every service may call it). */
  static async connect(client: MongoClient, dbName: string): Promise<Registry> {
    const registry = new Registry(client.db(dbName));
    await registry.ensureIndexes();
    return registry;
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
  }
}
