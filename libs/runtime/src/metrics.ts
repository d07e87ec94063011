import type { Metrics } from '@netsentry/observability';
import type { FailureKind, RuntimeMetrics } from './ports';

// The runtime distinguishes five failure kinds; the metric keeps observability's bounded reason label:
// a failed attempt that will be retried, a message sent to the dead-letter topic, an undecodable message.
const REASON: Readonly<Record<FailureKind, 'retry' | 'dlq' | 'decode'>> = {
  handler: 'retry',
  exhausted: 'dlq',
  'non-retryable': 'dlq',
  'crash-loop': 'dlq',
  decode: 'decode',
};

/** The stage metrics on @netsentry/observability's Metrics (netsentry_events_*_total, handler duration, lag). */
export function observabilityMetrics(metrics: Metrics): RuntimeMetrics {
  let clientInfo: ReturnType<typeof metrics.gauge<'topic' | 'client'>> | undefined;
  return {
    batchClient: (topic, client) => {
      clientInfo ??= metrics.gauge(
        'netsentry_batch_consumer_info',
        'The Kafka client a batch consumer runs on (1 per topic and client): kafkajs or rdkafka',
        ['topic', 'client'],
      );
      clientInfo.set({ topic, client }, 1);
    },
    consumed: (topic, count = 1) => metrics.eventsConsumed.inc({ topic }, count),
    produced: (topic, count) => metrics.eventsProduced.inc({ topic }, count),
    failed: (topic, kind) => metrics.recordFailure(topic, REASON[kind]),
    deduplicated: (topic) => metrics.eventsDeduplicated.inc({ topic }),
    handlerDuration: (stage, seconds) => metrics.handlerDuration.observe({ stage }, seconds),
    consumerLag: (topic, partition, lag) =>
      metrics.consumerLag.set({ topic, partition: String(partition) }, lag),
  };
}
