import { loadConfig, mongoSection, type MongoSettings } from '@netsentry/config';
import { createMongoClient } from '@netsentry/registry';
import type { Db, MongoClient } from 'mongodb';

/** Injection token of the process's StageResources (provided by runStage). */
export const STAGE_RESOURCES = Symbol('STAGE_RESOURCES');
/** The StageResources runStage hands to the app (global); modules inject STAGE_RESOURCES instead. */
export const PROVIDED_RESOURCES = Symbol('PROVIDED_RESOURCES');

export type Env = Readonly<Record<string, string | undefined>>;

/**
 * What one stage process shares: its environment (so a test or a second instance in one process passes its
 * own) and one MongoDB client, opened on first use, for the ledger and every store.
 */
export class StageResources {
  private client: Promise<MongoClient> | null = null;
  private settings: MongoSettings | null = null;

  constructor(readonly env: Env = process.env) {}

  get mongoSettings(): MongoSettings {
    this.settings ??= loadConfig(mongoSection(), this.env);
    return this.settings;
  }

  /** The process's MongoDB database, connecting the one client on first use. */
  async mongoDb(): Promise<Db> {
    const settings = this.mongoSettings;
    this.client ??= (async () => {
      const client = createMongoClient(settings);
      await client.connect();
      return client;
    })();
    return (await this.client).db(settings.database);
  }

  get mongoOpened(): boolean {
    return this.client !== null;
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = null;
    if (client !== null) await (await client).close();
  }
}
