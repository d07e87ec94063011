// What the runtime needs from its neighbours: the ledger of @netsentry/registry, and small structural
// interfaces for the logger and metrics of @netsentry/observability. Their classes satisfy these
// without the runtime depending on their internals, and unit tests pass in-memory fakes.
import type { StageExecutionStore as RegistryLedger } from '@netsentry/registry';
import type { BatchKafkaClient } from './batch-handler';

export type { ClaimInput, ExecutionClaim } from '@netsentry/registry';

/** The part of @netsentry/registry's idempotency ledger the pipeline calls (unit tests pass fakes of it). */
export type StageExecutionStore = Pick<RegistryLedger, 'claim' | 'complete' | 'recordFailure' | 'deadLetter'>;

/**
 * Ends a run as failed in the registry (RunRepository.finishRun of @netsentry/registry): the pipeline calls it
 * when it dead-letters an event that belongs to a run, so the run does not stay `running` forever. False
 * when the run had already ended (the first outcome stands); an unknown run is reported by the adapter.
 */
export interface RunFailures {
  failRun(runId: string, stage: string, reason: string): Promise<boolean>;
}

type LogFn = (obj: object, msg?: string) => void;

/** The slice of a pino logger the runtime uses. */
export interface RuntimeLogger {
  info: LogFn;
  warn: LogFn;
  error: LogFn;
  debug: LogFn;
  child(bindings: Record<string, unknown>): RuntimeLogger;
}

/** Why a message did not complete normally (the `reason` label of netsentry_events_failed_total). */
export type FailureKind = 'decode' | 'handler' | 'exhausted' | 'non-retryable' | 'crash-loop';

/** The stage metrics (names agreed with @netsentry/observability; see metrics.ts for the adapter). */
export interface RuntimeMetrics {
  consumed(topic: string, count?: number): void;
  produced(topic: string, count: number): void;
  failed(topic: string, reason: FailureKind): void;
  deduplicated(topic: string): void;
  handlerDuration(stage: string, seconds: number): void;
  consumerLag(topic: string, partition: number, lag: number): void;
  /** Which Kafka client a batch consumer of `topic` runs on (an info gauge). */
  batchClient?(topic: string, client: BatchKafkaClient): void;
}

/** Health hooks (HealthRegistry of @netsentry/observability). */
export interface RuntimeHealth {
  register(name: string, check: () => boolean | Promise<boolean>): void;
  markShuttingDown(): void;
}

export const noopMetrics: RuntimeMetrics = {
  consumed: () => undefined,
  produced: () => undefined,
  failed: () => undefined,
  deduplicated: () => undefined,
  handlerDuration: () => undefined,
  consumerLag: () => undefined,
};

const noop = (): void => undefined;
export const silentLogger: RuntimeLogger = {
  info: noop,
  warn: noop,
  error: noop,
  debug: noop,
  child: () => silentLogger,
};
