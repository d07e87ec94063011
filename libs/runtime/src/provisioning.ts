import { topicConfig, topicName, topicSpecs, type TopicSpec } from '@netsentry/contracts';
import { ConfigResourceTypes, type Admin } from 'kafkajs';
import { silentLogger, type RuntimeLogger } from './ports';

export interface ProvisioningReport {
  /** Topics that were missing when listed: created by this call, or by another process at the same time. */
  created: string[];
  partitionsIncreased: { topic: string; from: number; to: number }[];
  /** Existing topics whose configs differ from the catalogue. Reported, not changed: see provisionTopics. */
  configDrift: { topic: string; config: string; expected: string; actual: string | null }[];
  unchanged: string[];
}

export interface ProvisioningOptions {
  /** Replication factor of new topics; default: the broker's default.replication.factor. */
  replicationFactor?: number;
  logger?: RuntimeLogger;
}

/**
 * Makes the cluster match the topic catalogue, idempotently: creates missing topics with their partitions
 * and retention/compaction configs, and raises partition counts that are lower than the catalogue's.
 * Never lowers partitions (Kafka cannot) and never rewrites the configs of an existing topic (kafkajs's
 * alterConfigs replaces every override, which would wipe an operator's tuning); drift is logged instead.
 * Safe to run from every replica at start: a concurrent create is tolerated.
 */
export async function provisionTopics(
  admin: Admin,
  prefix: string,
  specs: readonly TopicSpec[] = topicSpecs(),
  options: ProvisioningOptions = {},
): Promise<ProvisioningReport> {
  const logger = options.logger ?? silentLogger;
  const wanted = specs.map((spec) => ({ spec, name: topicName(prefix, spec.name) }));
  const existing = new Set(await admin.listTopics());
  const report: ProvisioningReport = { created: [], partitionsIncreased: [], configDrift: [], unchanged: [] };

  const missing = wanted.filter((w) => !existing.has(w.name));
  if (missing.length > 0) {
    // false: some of them exist already — another replica (or service) created them between our
    // listTopics and this call, as happens when every service starts at once. Normal, not an error
    // (kafkajs's own ERROR line about it is lowered to debug by kafkaLogLevel).
    const allNew = await admin.createTopics({
      // kafkajs's own waitForLeaders can fail with UNKNOWN_TOPIC_OR_PARTITION while a KRaft broker's metadata
      // catches up; waitForTopics polls until every partition has a leader instead.
      waitForLeaders: false,
      topics: missing.map(({ spec, name }) => ({
        topic: name,
        numPartitions: spec.partitions,
        ...(options.replicationFactor === undefined ? {} : { replicationFactor: options.replicationFactor }),
        configEntries: Object.entries(topicConfig(spec)).map(([configName, value]) => ({
          name: configName,
          value,
        })),
      })),
    });
    if (!allNew) {
      logger.info(
        { topics: missing.length },
        'some topics were created by another process at the same time (already exist)',
      );
    }
    report.created.push(...missing.map((m) => m.name));
    await waitForTopics(
      admin,
      missing.map((m) => ({ name: m.name, partitions: m.spec.partitions })),
    );
  }

  const present = wanted.filter((w) => existing.has(w.name));
  if (present.length > 0) {
    const metadata = await admin.fetchTopicMetadata({ topics: present.map((p) => p.name) });
    const partitions = new Map(metadata.topics.map((t) => [t.name, t.partitions.length]));
    const grow = present.filter((p) => (partitions.get(p.name) ?? 0) < p.spec.partitions);
    if (grow.length > 0) {
      await admin.createPartitions({
        topicPartitions: grow.map((g) => ({ topic: g.name, count: g.spec.partitions })),
      });
      await waitForTopics(
        admin,
        grow.map((g) => ({ name: g.name, partitions: g.spec.partitions })),
      );
      for (const g of grow) {
        report.partitionsIncreased.push({
          topic: g.name,
          from: partitions.get(g.name) ?? 0,
          to: g.spec.partitions,
        });
      }
    }
    report.configDrift.push(...(await configDrift(admin, present)));
    const changed = new Set(grow.map((g) => g.name));
    report.unchanged.push(...present.filter((p) => !changed.has(p.name)).map((p) => p.name));
  }

  for (const name of report.created) logger.info({ topic: name }, 'topic created');
  for (const p of report.partitionsIncreased) logger.info(p, 'topic partitions increased');
  for (const d of report.configDrift) logger.warn(d, 'topic config differs from the catalogue (not changed)');
  logger.info(
    {
      created: report.created.length,
      grown: report.partitionsIncreased.length,
      unchanged: report.unchanged.length,
    },
    'topics provisioned',
  );
  return report;
}

async function configDrift(
  admin: Admin,
  topics: readonly { spec: TopicSpec; name: string }[],
): Promise<ProvisioningReport['configDrift']> {
  const described = await admin.describeConfigs({
    includeSynonyms: false,
    resources: topics.map((t) => ({
      type: ConfigResourceTypes.TOPIC,
      name: t.name,
      configNames: Object.keys(topicConfig(t.spec)),
    })),
  });
  const actual = new Map(
    described.resources.map((r) => [
      r.resourceName,
      new Map(r.configEntries.map((e) => [e.configName, e.configValue])),
    ]),
  );
  return topics.flatMap(({ spec, name }) =>
    Object.entries(topicConfig(spec))
      .map(([config, expected]) => ({
        topic: name,
        config,
        expected,
        actual: actual.get(name)?.get(config) ?? null,
      }))
      .filter((d) => d.actual !== d.expected),
  );
}

/** Polls metadata until every topic has its partitions, each with a leader (bounded by `timeoutMs`). */
export async function waitForTopics(
  admin: Admin,
  topics: readonly { name: string; partitions: number }[],
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown = null;
  while (Date.now() < deadline) {
    try {
      const { topics: found } = await admin.fetchTopicMetadata({ topics: topics.map((t) => t.name) });
      const ready = topics.every((t) => {
        const meta = found.find((f) => f.name === t.name);
        return (
          meta !== undefined &&
          meta.partitions.length >= t.partitions &&
          meta.partitions.every((p) => p.leader >= 0)
        );
      });
      if (ready) return;
    } catch (error) {
      lastError = error; // typically UNKNOWN_TOPIC_OR_PARTITION right after creation
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const why = lastError instanceof Error ? `: ${lastError.message}` : '';
  throw new Error(`topics not ready after ${timeoutMs} ms (${topics.map((t) => t.name).join(', ')})${why}`);
}
