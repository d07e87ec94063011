import { ConfigError, defineConfig, oneOf, type ConfigSection } from '@netsentry/config';
import type { BatchKafkaClient } from './batch-handler';
import type { RuntimeLogger } from './ports';
import { loadRdkafka, rdkafkaToolDir, RDKAFKA_PACKAGE, type RdkafkaModule } from './rdkafka';

/** NETSENTRY_KAFKA_CLIENT: the client of the batch path (decision 0096). */
export type KafkaClientSetting = BatchKafkaClient | 'auto';

/** `NETSENTRY_KAFKA_CLIENT` → the batch path's client setting (fails fast on anything else). */
export function kafkaClientSection(): ConfigSection<KafkaClientSetting> {
  return defineConfig(
    {
      NETSENTRY_KAFKA_CLIENT: oneOf(['auto', 'kafkajs', 'rdkafka'] as const, {
        default: 'auto',
        ignoreCase: true,
        description:
          'Kafka client of the batch path (inference): rdkafka (@confluentinc/kafka-javascript, one ' +
          'transactional producer per replica), kafkajs, or auto (rdkafka when it loads)',
      }),
    },
    (v): KafkaClientSetting => v.NETSENTRY_KAFKA_CLIENT,
  );
}

export type BatchClientChoice =
  | { readonly client: 'kafkajs' }
  | { readonly client: 'rdkafka'; readonly rdkafka: RdkafkaModule; readonly from: string };

/**
 * The client the batch consumers run on. `rdkafka` that does not load is a configuration error naming the
 * variable; `auto` falls back to kafkajs with one info line saying why.
 */
export function resolveBatchClient(
  setting: KafkaClientSetting,
  env: Readonly<Record<string, string | undefined>>,
  logger: RuntimeLogger,
): BatchClientChoice {
  if (setting === 'kafkajs') return { client: 'kafkajs' };
  const loaded = loadRdkafka(env);
  if (loaded.module !== null) return { client: 'rdkafka', rdkafka: loaded.module, from: loaded.from };
  const hint = `install it with scripts/install-rdkafka.sh (into ${rdkafkaToolDir(env)}) or npm install ${RDKAFKA_PACKAGE}`;
  if (setting === 'rdkafka') {
    throw new ConfigError([
      {
        variables: ['NETSENTRY_KAFKA_CLIENT'],
        message: `rdkafka: ${RDKAFKA_PACKAGE} cannot be loaded (${loaded.reason}); ${hint}, or set kafkajs`,
      },
    ]);
  }
  logger.info(
    { reason: loaded.reason, hint },
    `batch path on kafkajs: NETSENTRY_KAFKA_CLIENT=auto and ${RDKAFKA_PACKAGE} cannot be loaded`,
  );
  return { client: 'kafkajs' };
}
