import { randomBytes } from 'node:crypto';
import { localInfra } from './local-infra';
import { uniqueName } from './clients';

/**
 * Environment for running a stage in a test against the local servers, isolated from every other test:
 * its own topic prefix, MongoDB database and S3 bucket, and its own admin secret (the CLI and the stages
 * of one test sign and verify admin commands with it; sign with `signAdminCommand` from contracts).
 */
export function isolatedStageEnv(label: string): Record<string, string> {
  const infra = localInfra();
  const id = uniqueName(label).replace(/[^a-z0-9]/g, '');
  return {
    NETSENTRY_KAFKA_BROKERS: infra.kafkaBrokers.join(','),
    NETSENTRY_TOPIC_PREFIX: `it.${id}`,
    NETSENTRY_MONGO_URI: infra.mongoUri,
    NETSENTRY_MONGO_DATABASE: `it_${id}`,
    NETSENTRY_S3_ENDPOINT: infra.s3.endpoint,
    NETSENTRY_S3_REGION: infra.s3.region,
    NETSENTRY_S3_ACCESS_KEY: infra.s3.accessKeyId,
    NETSENTRY_S3_SECRET_KEY: infra.s3.secretAccessKey,
    NETSENTRY_S3_BUCKET: `it-${id}`.slice(0, 63),
    NETSENTRY_HTTP_PORT: '0',
    NETSENTRY_LOG_LEVEL: 'warn',
    NETSENTRY_ADMIN_SECRET: randomBytes(32).toString('hex'),
  };
}
