import { ArtifactStore, createS3Client } from '@netsentry/artifacts';
import { int, kafkaSection, loadConfig, s3Section } from '@netsentry/config';
import { createKafka, provisionTopics, type ProvisioningReport } from '@netsentry/runtime';

export interface ProvisionOptions {
  readonly json: boolean;
}

export interface ProvisionResult {
  readonly topics: ProvisioningReport;
  readonly bucket: string;
}

const provisionConfig = {
  kafka: kafkaSection({ clientId: 'netsentry-provision' }),
  s3: s3Section(),
  NETSENTRY_TOPIC_REPLICATION_FACTOR: int({
    optional: true,
    min: 1,
    description: "replication factor of the topics it creates (default: the brokers' default)",
  }),
};

/**
 * Creates what the services need before their first start, idempotently: every catalogue topic (with
 * its partitions and retention; partitions are raised, never lowered) and the artifact bucket. The
 * docker-compose init step and the Kubernetes provisioning Job run it.
 */
export async function provisionAll(env: NodeJS.ProcessEnv = process.env): Promise<ProvisionResult> {
  const config = loadConfig(provisionConfig, env);
  const admin = createKafka(config.kafka).admin();
  await admin.connect();
  let topics: ProvisioningReport;
  try {
    const rf = config.NETSENTRY_TOPIC_REPLICATION_FACTOR;
    topics = await provisionTopics(admin, config.kafka.topicPrefix, undefined, {
      ...(rf === undefined ? {} : { replicationFactor: rf }),
    });
  } finally {
    await admin.disconnect();
  }
  const s3 = createS3Client(config.s3);
  try {
    await new ArtifactStore({ client: s3, bucket: config.s3.bucket }).ensureBucket();
  } finally {
    s3.destroy();
  }
  return { topics, bucket: config.s3.bucket };
}

export async function provision(options: ProvisionOptions, env = process.env): Promise<number> {
  const result = await provisionAll(env);
  if (options.json) {
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return 0;
  }
  const t = result.topics;
  process.stdout.write(
    `topics: ${t.created.length} created, ${t.partitionsIncreased.length} grown, ` +
      `${t.unchanged.length} unchanged, ${t.configDrift.length} with config drift (not changed)\n` +
      t.configDrift
        .map((d) => `  ${d.topic}: ${d.config} is ${d.actual ?? 'unset'}, catalogue says ${d.expected}\n`)
        .join('') +
      `bucket: ${result.bucket} ready\n`,
  );
  return 0;
}
