import 'reflect-metadata';
import { Controller, Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ContractRegistry, TOPIC_CATALOGUE, topicName } from '@netsentry/contracts';
import { MongoStageExecutionStore, RunRepository } from '@netsentry/registry';
import { newKafka, newMongoClient, uniqueName } from '@netsentry/testkit';
import type { Db, MongoClient } from 'mongodb';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { provisionTopics } from '../src/provisioning';
import { NonRetryableError } from '../src/retry';
import { registryRunFailures } from '../src/run-failures';
import { KafkaAvroTransport, StageHandler } from '../src/transport';
import { ingestedEvent } from './support/kafka';

// A stage whose handler always throws, against the real broker and registry (FerretDB): the run its event
// belongs to must end `failed`, naming the stage and the reason, instead of staying `running` forever.

const STAGE = 'validation';
const contracts = ContractRegistry.bundled();
const kafka = newKafka('runtime-run-failures-test');
let mongo: MongoClient;
let db: Db;
let runs: RunRepository;
const apps: INestApplication[] = [];

/** The error the handler throws, set per test. */
let failure: () => Error = () => new Error('boom');

@Controller()
class AlwaysFailingController {
  @StageHandler('data.ingested')
  onIngested(): never {
    throw failure();
  }
}

@Module({ controllers: [AlwaysFailingController] })
class AlwaysFailingModule {}

async function startStage(prefix: string): Promise<void> {
  const ledger = new MongoStageExecutionStore(db);
  await ledger.ensureIndexes();
  const app = await NestFactory.create(AlwaysFailingModule, { logger: ['error'] });
  app.connectMicroservice({
    strategy: new KafkaAvroTransport({
      kafka,
      stage: STAGE,
      producer: { service: STAGE, version: 'test' },
      topicPrefix: prefix,
      ledger,
      runs: registryRunFailures(runs),
      retry: { maxAttempts: 3, baseDelayMs: 20, maxDelayMs: 100 },
      transactionalId: uniqueName('tx'),
      consumer: { sessionTimeout: 10_000, heartbeatInterval: 500 },
    }),
  });
  await app.startAllMicroservices();
  await app.listen(0, '127.0.0.1');
  apps.push(app);
}

async function provisioned(): Promise<string> {
  const prefix = uniqueName('rf');
  const admin = kafka.admin();
  await admin.connect();
  const specs = (['data.ingested', 'data.validated', 'pipeline.dlq'] as const).map((t) => ({
    ...TOPIC_CATALOGUE[t],
    partitions: 1,
  }));
  await provisionTopics(admin, prefix, specs);
  await admin.disconnect();
  return prefix;
}

/** Opens a run in the registry and publishes one data.ingested event of it. */
async function publishEventOfNewRun(prefix: string): Promise<string> {
  const runId = uniqueName('run');
  await runs.openRun({
    runId,
    correlationId: runId,
    trigger: { commandId: null, reason: 'test' },
    dataset: 'phishing',
  });
  const event = ingestedEvent(runId);
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({
    topic: topicName(prefix, 'data.ingested'),
    messages: [{ key: runId, value: contracts.encode('data.ingested', event) }],
  });
  await producer.disconnect();
  return runId;
}

beforeAll(async () => {
  mongo = newMongoClient();
  await mongo.connect();
  db = mongo.db(uniqueName('runtime-rf-it'));
  runs = new RunRepository(db);
  await runs.ensureIndexes();
});

afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
});

afterAll(async () => {
  await db.dropDatabase().catch(() => undefined);
  await mongo.close();
});

describe('a dead-lettered event ends its run as failed', () => {
  it('after the retries are exhausted: failed, with the stage, the attempts and the error', async () => {
    const prefix = await provisioned();
    failure = () => new Error('S3 answered 503 Slow Down');
    await startStage(prefix);
    const runId = await publishEventOfNewRun(prefix);

    await expect
      .poll(async () => (await runs.get(runId))?.status, { timeout: 60_000, interval: 250 })
      .toBe('failed');
    const run = await runs.get(runId);
    expect(run?.reason).toBe(
      `dead-lettered at ${STAGE}: failed 3 times (retries exhausted): Error: S3 answered 503 Slow Down`,
    );
    expect(run?.endedAt).toBeInstanceOf(Date);
  });

  it('at once on an error retrying cannot fix', async () => {
    const prefix = await provisioned();
    failure = () => new NonRetryableError("column 'x' is not in the schema", 'BAD_INPUT');
    await startStage(prefix);
    const runId = await publishEventOfNewRun(prefix);

    await expect
      .poll(async () => (await runs.get(runId))?.status, { timeout: 60_000, interval: 250 })
      .toBe('failed');
    expect((await runs.get(runId))?.reason).toBe(
      `dead-lettered at ${STAGE}: failed with an error that retrying cannot fix: NonRetryableError: column 'x' is not in the schema`,
    );
  });
});
