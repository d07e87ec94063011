import type { INestApplication, Type } from '@nestjs/common';
import {
  ContractRegistry,
  rootEnvelope,
  signAdminCommand,
  topicName,
  type EventByTopic,
  type SystemServiceName,
  type TopicName,
} from '@netsentry/contracts';
import { loadRecords, type LoadSummary } from '@netsentry/records';
import { openStores, runStage, type Stores } from '@netsentry/runtime';
import type { Kafka, Producer } from 'kafkajs';
import { join } from 'node:path';
import { newKafka } from './clients';
import { readTopic } from './kafka';
import { repoRoot } from './local-infra';
import { isolatedStageEnv } from './stage-env';
import { StageProcess, type StageProcessOptions } from './stage-process';
import { TopicCollector } from './topic-collector';

/** The pipeline stages a test can start in-process by name (inference has its own start-up options). */
export type StageName = Exclude<SystemServiceName, 'inference'>;

/** The datasets shipped in data/, with their schemas in data/schemas/. */
const BUNDLED = {
  phishing: { csv: 'data/phishing.csv', schema: 'data/schemas/phishing.yaml' },
  'nsl-kdd': { csv: 'data/nsl-kdd/KDDTest+.csv.gz', schema: 'data/schemas/nsl-kdd.yaml' },
} as const;
export type BundledDataset = keyof typeof BUNDLED;

/**
 * A stage's Nest module, loaded by name at run time from `services/<stage>/src/<stage>.module.ts` (export
 * `<Stage>Module`), as the supervisor starts `services/<stage>` by name: libs/ hold no import of a service
 * (decision 0055), and a service's test starts the others without importing them.
 */
async function stageModule(stage: StageName): Promise<Type> {
  const file = join(repoRoot, 'services', stage, 'src', `${stage}.module.ts`);
  const exported = (await import(/* @vite-ignore */ file)) as Record<string, unknown>;
  const name = `${stage[0]!.toUpperCase()}${stage.slice(1)}Module`;
  const module = exported[name];
  if (typeof module !== 'function') throw new Error(`${file} does not export ${name}`);
  return module as Type;
}

/** What the stages of one harness (and its branches) share, closed once by the harness that opened them. */
interface Shared {
  readonly kafka: Kafka;
  readonly contracts: ContractRegistry;
  stores: Stores | null;
  producer: Promise<Producer> | null;
  readonly apps: { stage: StageName; app: INestApplication }[];
  readonly processes: StageProcess[];
  readonly collectors: TopicCollector[];
}

/**
 * One integration test's stages against the real servers, isolated from every other test: its own
 * environment (`isolatedStageEnv`: topic prefix, MongoDB database, S3 bucket, admin secret) plus the
 * test's variables, the stores on it, stages started in-process by name, events published and read on its
 * topics, and one teardown for all of it.
 *
 * ```ts
 * const harness = new StageHarness('trainer', { env: { NETSENTRY_TRAINER_TRIALS: '2' } });
 * beforeAll(async () => {
 *   stores = await harness.open();
 *   [app] = await harness.startStages(['trainer']);
 * });
 * afterAll(() => harness.close());
 * ```
 */
export class StageHarness {
  readonly env: Record<string, string>;
  private readonly shared: Shared;

  constructor(label: string, options: { env?: Record<string, string> } = {}, shared?: Shared) {
    this.env = { ...isolatedStageEnv(label), ...options.env };
    this.shared = shared ?? {
      kafka: newKafka(`${label}-it`),
      contracts: ContractRegistry.bundled(),
      stores: null,
      producer: null,
      apps: [],
      processes: [],
      collectors: [],
    };
  }

  get kafka(): Kafka {
    return this.shared.kafka;
  }

  get contracts(): ContractRegistry {
    return this.shared.contracts;
  }

  /** The stores opened by `open()`. */
  get stores(): Stores {
    if (this.shared.stores === null) throw new Error('StageHarness: call open() first');
    return this.shared.stores;
  }

  /** The Kafka topic of `t` under this harness's prefix. */
  topic(t: TopicName): string {
    return topicName(this.env.NETSENTRY_TOPIC_PREFIX!, t);
  }

  /**
   * The same database, bucket and admin secret under other variables (e.g. a topic prefix of its own, so
   * an upstream stage's events do not reach the stages under test); closed with this harness.
   */
  branch(env: Record<string, string>): StageHarness {
    const branch = new StageHarness('branch', {}, this.shared);
    Object.assign(branch.env, this.env, env);
    return branch;
  }

  /**
   * Opens the stores on this environment. Stages started by this harness get it through `runStage({ env })`;
   * nothing is written to `process.env`.
   */
  async open(): Promise<Stores> {
    this.shared.stores ??= await openStores(this.env);
    return this.shared.stores;
  }

  /** Starts the stages in order, each in-process on this environment, consuming from the beginning. */
  async startStages(stages: readonly StageName[]): Promise<INestApplication[]> {
    const started: INestApplication[] = [];
    for (const stage of stages) {
      const module = await stageModule(stage);
      const { app } = await runStage(module, { stage, httpPort: 0, env: this.env, fromBeginning: true });
      this.shared.apps.push({ stage, app });
      started.push(app);
    }
    return started;
  }

  /**
   * Starts a stage as users run it, a process (`services/<stage>/dist/main.js`, built by `npm run build`)
   * on this environment plus `env`; resolves once its /readyz answers 200. Stopped by `close()` if still
   * running; `kill('SIGKILL')` it for a crash, and start it again with the same `port` to restart it.
   */
  async startProcess(
    stage: SystemServiceName,
    options: StageProcessOptions & { env?: Record<string, string> } = {},
  ): Promise<StageProcess> {
    const started = await StageProcess.start(stage, { ...this.env, ...options.env }, options);
    this.shared.processes.push(started);
    return started;
  }

  /** The running app of a stage this harness started. */
  app(stage: StageName): INestApplication {
    const found = this.shared.apps.find((a) => a.stage === stage);
    if (!found) throw new Error(`StageHarness: stage ${stage} was not started`);
    return found.app;
  }

  /** Loads a dataset shipped in data/ into the record store, as `netsentry data load` does. */
  loadBundled(dataset: BundledDataset): Promise<LoadSummary> {
    const { csv, schema } = BUNDLED[dataset];
    return loadRecords({
      csvPath: join(repoRoot, csv),
      schemaPath: join(repoRoot, schema),
      store: this.stores.records,
      batchSize: 2_000,
    });
  }

  /** Publishes an event on this harness's topic (key: its event id unless given); returns the bytes. */
  async publish<T extends TopicName>(
    t: T,
    event: EventByTopic[T],
    options: { key?: string; version?: number } = {},
  ): Promise<Buffer> {
    const value = this.contracts.encode(
      t,
      event,
      options.version === undefined ? {} : { version: options.version },
    );
    await this.publishBytes(t, value, options.key ?? event.envelope.eventId);
    return value;
  }

  /** Publishes bytes as they are (a producer's retry of a message, a foreign or broken one). */
  async publishBytes(t: TopicName, value: Buffer, key: string): Promise<void> {
    this.shared.producer ??= (async () => {
      const producer = this.kafka.producer();
      await producer.connect();
      return producer;
    })();
    const producer = await this.shared.producer;
    await producer.send({ topic: this.topic(t), messages: [{ key, value }] });
  }

  /** Publishes a RETRAIN of `dataset` signed with this environment's admin secret; returns the run id. */
  async retrain(dataset: string, reason: string): Promise<string> {
    const envelope = rootEnvelope('admin.commands', { producer: { service: 'cli', version: 'test' } });
    const command = signAdminCommand(
      {
        envelope,
        command: 'RETRAIN',
        reason,
        requestedBy: 'test',
        targetModelVersion: null,
        datasetName: dataset,
      },
      this.env.NETSENTRY_ADMIN_SECRET!,
    );
    await this.publish('admin.commands', command);
    return `run-${envelope.eventId}`;
  }

  /** The events on `t` so far, read from the beginning (see `readTopic`), decoded. */
  async readEvents<T extends TopicName>(
    t: T,
    options: { atLeast: number; settleMs?: number; timeoutMs?: number },
  ): Promise<EventByTopic[T][]> {
    const messages = await readTopic(this.kafka, this.topic(t), options);
    return messages.map((m) => this.contracts.decode(t, m.value!));
  }

  /**
   * Reads `t` again and again until at least `count` events satisfy `where` (each read waits for `count`
   * messages up to `readTimeoutMs`, then `settleMs` of quiet); fails after `timeoutMs`.
   */
  async untilEvents<T extends TopicName>(
    t: T,
    where: (event: EventByTopic[T]) => boolean,
    options: { timeoutMs: number; count?: number; settleMs?: number; readTimeoutMs?: number },
  ): Promise<EventByTopic[T][]> {
    const { timeoutMs, count = 1, settleMs = 500, readTimeoutMs = 20_000 } = options;
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const events = await this.readEvents(t, { atLeast: count, settleMs, timeoutMs: readTimeoutMs }).catch(
        () => [],
      );
      const matching = events.filter(where);
      if (matching.length >= count) return matching;
    }
    throw new Error(`fewer than ${count} matching ${t} events within ${timeoutMs} ms`);
  }

  /** Collects every event on `topics` from the beginning, for the whole test file (stopped by `close()`). */
  async collect(topics: readonly TopicName[]): Promise<TopicCollector> {
    const collector = await TopicCollector.start(this.kafka, this.contracts, topics, (t) => this.topic(t));
    this.shared.collectors.push(collector);
    return collector;
  }

  /**
   * Stops the collectors, the producer, the stages (in the order they started) and the stage processes,
   * closes the stores.
   */
  async close(): Promise<void> {
    const s = this.shared;
    for (const collector of s.collectors.splice(0)) await collector.stop();
    const producer = s.producer;
    s.producer = null;
    if (producer) await (await producer).disconnect();
    for (const { app } of s.apps.splice(0)) await app.close();
    await Promise.all(s.processes.splice(0).map((p) => p.stop()));
    await s.stores?.close();
    s.stores = null;
  }
}
