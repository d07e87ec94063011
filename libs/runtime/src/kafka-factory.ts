import {
  Kafka,
  logLevel,
  Partitioners,
  type KafkaConfig,
  type LogEntry,
  type ProducerConfig,
  type SASLOptions,
} from 'kafkajs';
import type { KafkaSettings } from '@netsentry/config';
import type { RuntimeLogger } from './ports';

export type { KafkaSettings };

/**
 * KafkaSettings → kafkajs KafkaConfig. kafkajs logs go to `logger`, or (a CLI without one) warnings and
 * errors to stderr as one line each; both at the level `kafkaLogLevel` gives them.
 */
export function kafkaConfig(settings: KafkaSettings, logger?: RuntimeLogger): KafkaConfig {
  const config: KafkaConfig = {
    clientId: settings.clientId,
    brokers: settings.brokers,
    logLevel: logLevel.WARN,
  };
  if (settings.ssl === true) config.ssl = true;
  else if (typeof settings.ssl === 'object') {
    const { ca, cert, key } = settings.ssl;
    config.ssl = {
      rejectUnauthorized: true,
      ...(ca === undefined ? {} : { ca: [ca] }),
      ...(cert === undefined ? {} : { cert }),
      ...(key === undefined ? {} : { key }),
    };
  }
  if (settings.sasl !== undefined) config.sasl = saslOptions(settings.sasl);
  config.logCreator = logger !== undefined ? kafkaLogCreator(logger) : stderrLogCreator();
  return config;
}

export function createKafka(settings: KafkaSettings, logger?: RuntimeLogger): Kafka {
  return new Kafka(kafkaConfig(settings, logger));
}

/**
 * A producer config with the partitioner named (kafkajs's default murmur2 one, as the stage transport
 * uses): left out, kafkajs warns about its v2 default change on the first producer of every process.
 */
export function producerConfig(config: ProducerConfig = {}): ProducerConfig {
  return { createPartitioner: Partitioners.DefaultPartitioner, ...config };
}

function saslOptions(sasl: NonNullable<KafkaSettings['sasl']>): SASLOptions {
  const { username, password } = sasl;
  switch (sasl.mechanism) {
    case 'plain':
      return { mechanism: 'plain', username, password };
    case 'scram-sha-256':
      return { mechanism: 'scram-sha-256', username, password };
    case 'scram-sha-512':
      return { mechanism: 'scram-sha-512', username, password };
  }
}

type Level = 'error' | 'warn' | 'info' | 'debug';

// Retried sends that are part of normal operation: the coordinator still writing the previous transaction's
// markers (CONCURRENT_TRANSACTIONS), and a partition's leadership still settling right after its topic was
// created or a broker moved it (NOT_LEADER_OR_FOLLOWER, LEADER_NOT_AVAILABLE): kafkajs refreshes the
// metadata and sends again.
const ROUTINE_SEND_RETRY =
  /concurrent operation on the same transaction|not the leader for that topic-partition|no leader for this topic-partition|leadership election/;

/**
 * The level an operator should see a kafkajs log entry at. kafkajs logs some things at ERROR that are part
 * of normal operation, before anyone knows whether they matter:
 * - every error response, in its `Connection` layer (`Response CreateTopics(…)` / "Topic creation
 *   errors" when another replica created a topic first, `Response Metadata(…)` / "There is no leader for
 *   this topic-partition as we are in the middle of a leadership election" after a topic is created, a
 *   coordinator that moved). The error is handed to the caller, which retries it, treats it as expected
 *   (an existing topic), or fails — and a failure reaches our code, which logs it where it is handled;
 * - a consumer rejoining its group after the coordinator forgot it (a rebalance: kafkajs rejoins by itself);
 * - a produce request that failed with a retriable error ("Failed to send messages: …", logged before each
 *   retry; a final failure is thrown to our code). One of them is part of exactly-once operation: a
 *   transactional producer's next transaction reaching the coordinator while it still writes the previous
 *   one's commit markers ("…another concurrent operation on the same transaction was ongoing",
 *   CONCURRENT_TRANSACTIONS) — and a send to a partition whose leader is still settling after its topic
 *   was created ("This server is not the leader for that topic-partition"): those go to debug, the other
 *   retried sends to warn.
 * Those go to debug, info and warn; everything else keeps the level kafkajs gave it.
 */
export function kafkaLogLevel(entry: Pick<LogEntry, 'namespace' | 'level' | 'log'>): Level {
  const { namespace, level, log } = entry;
  if (level === logLevel.ERROR || level === logLevel.NOTHING) {
    if (namespace === 'Connection' && log.message.startsWith('Response ')) return 'debug';
    if (namespace === 'Runner' && /not aware of this member, re-joining/.test(log.message)) return 'info';
    if (namespace === 'Producer' && log.message.startsWith('Failed to send messages: ')) {
      return ROUTINE_SEND_RETRY.test(log.message) ? 'debug' : 'warn';
    }
    return 'error';
  }
  if (level === logLevel.WARN) return 'warn';
  if (level === logLevel.INFO) return 'info';
  return 'debug';
}

/** Routes kafkajs's own logs into our structured logger, tagged with the kafkajs namespace. */
function kafkaLogCreator(logger: RuntimeLogger): KafkaConfig['logCreator'] {
  const kafkaLogger = logger.child({ component: 'kafkajs' });
  return () => (entry: LogEntry) => {
    // kafkajs's `timestamp`, `logger` ("kafkajs") and `message` are what our `time`, `component` and
    // `msg` already say.
    const { message, timestamp: _timestamp, logger: _name, ...extra } = entry.log;
    const fields = { namespace: entry.namespace, ...extra };
    kafkaLogger[kafkaLogLevel(entry)](fields, message);
  };
}

/** kafkajs warnings and errors as plain lines on stderr, for a process without a structured logger. */
function stderrLogCreator(): KafkaConfig['logCreator'] {
  return () => (entry: LogEntry) => {
    const level = kafkaLogLevel(entry);
    if (level !== 'error' && level !== 'warn') return;
    const error = typeof entry.log.error === 'string' ? `: ${entry.log.error}` : '';
    process.stderr.write(`kafkajs ${level} [${entry.namespace}] ${entry.log.message}${error}\n`);
  };
}
