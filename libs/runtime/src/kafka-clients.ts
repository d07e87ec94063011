import { Partitioners, type ConsumerConfig, type ProducerConfig } from 'kafkajs';

/** Consumer settings a stage may override. */
export type ConsumerOverrides = Partial<
  Pick<
    ConsumerConfig,
    | 'sessionTimeout'
    | 'rebalanceTimeout'
    | 'heartbeatInterval'
    | 'maxWaitTimeInMs'
    | 'maxBytesPerPartition'
    | 'maxBytes'
  >
>;

/**
 * A producer whose outputs and consumed offsets commit in one Kafka transaction. The transactional id must
 * be stable for whoever owns the input (a replica, or an input partition): a new producer with the same id
 * fences the previous one and aborts its open transaction at once.
 */
export function transactionalProducerConfig(
  transactionalId: string,
  transactionTimeoutMs: number,
): ProducerConfig {
  return {
    transactionalId,
    idempotent: true,
    maxInFlightRequests: 1,
    transactionTimeout: transactionTimeoutMs,
    allowAutoTopicCreation: false,
    // murmur2 like the Java client: keys land where any other producer would put them.
    createPartitioner: Partitioners.DefaultPartitioner,
  };
}

/** An idempotent producer for at-least-once stages (produce, then commit). */
export function plainProducerConfig(): ProducerConfig {
  return {
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
  };
}

/** A consumer that never reads aborted or open transactions (every stage input is written transactionally). */
export function stageConsumerConfig(groupId: string, overrides: ConsumerOverrides = {}): ConsumerConfig {
  return {
    groupId,
    readUncommitted: false,
    allowAutoTopicCreation: false,
    sessionTimeout: 30_000,
    heartbeatInterval: 3_000,
    ...overrides,
  };
}
