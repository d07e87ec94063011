import { loadConfig, mongoSection } from '@netsentry/config';
import { createMongoClient, Registry } from '@netsentry/registry';

/**
 * Runs `work` with the registry on NETSENTRY_MONGO_* (a ConfigError names a missing variable), then closes
 * the connection. The read commands do not create indexes: they read what the services wrote.
 */
export async function withRegistry<T>(
  env: NodeJS.ProcessEnv,
  work: (registry: Registry) => Promise<T>,
): Promise<T> {
  const mongo = loadConfig(mongoSection(), env);
  const client = createMongoClient(mongo);
  try {
    await client.connect();
    return await work(new Registry(client.db(mongo.database)));
  } finally {
    await client.close();
  }
}

/** A read command's lookup that found nothing or too much: printed as is, exit 2. */
export class LookupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LookupError';
  }
}
