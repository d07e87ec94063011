import { HeadBucketCommand } from '@aws-sdk/client-s3';
import { topicName, topicSpecs } from '@netsentry/contracts';
import { isolatedStageEnv, newKafka, newS3Client } from '@netsentry/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { provisionAll } from '../src/provision';

// `netsentry provision` (the compose init step and the Kubernetes Job) against the real Kafka and S3Proxy.

const env = isolatedStageEnv('provision');
const prefix = env.NETSENTRY_TOPIC_PREFIX!;
const s3 = newS3Client();

afterAll(() => s3.destroy());

describe('netsentry provision', () => {
  it('creates every catalogue topic with its partitions and the bucket, and a second run changes nothing', async () => {
    const first = await provisionAll(env);
    expect(first.topics.created.sort()).toEqual(
      topicSpecs()
        .map((t) => topicName(prefix, t.name))
        .sort(),
    );
    expect(first.bucket).toBe(env.NETSENTRY_S3_BUCKET);

    const admin = newKafka('provision-it').admin();
    await admin.connect();
    try {
      const { topics } = await admin.fetchTopicMetadata({
        topics: topicSpecs().map((t) => topicName(prefix, t.name)),
      });
      const partitions = Object.fromEntries(topics.map((t) => [t.name, t.partitions.length]));
      for (const spec of topicSpecs()) expect(partitions[topicName(prefix, spec.name)]).toBe(spec.partitions);
    } finally {
      await admin.disconnect();
    }
    await expect(s3.send(new HeadBucketCommand({ Bucket: env.NETSENTRY_S3_BUCKET! }))).resolves.toBeDefined();

    const second = await provisionAll(env);
    expect(second.topics.created).toEqual([]);
    expect(second.topics.unchanged).toHaveLength(topicSpecs().length);
  });

  it('fails naming the variable when the brokers are not set', async () => {
    await expect(provisionAll({ ...env, NETSENTRY_KAFKA_BROKERS: '' })).rejects.toThrow(
      /NETSENTRY_KAFKA_BROKERS/,
    );
  });
});
