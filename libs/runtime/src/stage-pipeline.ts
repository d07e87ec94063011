import {
  ContractError,
  ContractRegistry,
  causedBy,
  messageKey,
  topicName,
  type Envelope,
  type EventByTopic,
  type Producer,
  type TopicName,
} from '@netsentry/contracts';
import { buildDeadLetter, errorCode, errorReason, type DeadLetterTopic } from './dead-letter';
import { outputEventId } from './ids';
import type { DeliverySink, InboundMessage, OutboundRecord } from './messages';
import {
  noopMetrics,
  silentLogger,
  type FailureKind,
  type RunFailures,
  type RuntimeLogger,
  type RuntimeMetrics,
  type StageExecutionStore,
} from './ports';
import { backoffDelay, isRetryable, retryPolicy, sleep, type RetryPolicy } from './retry';
import { invokeHandler, type StageContext, type StageHandlers, type StageOutput } from './stage-handler';

export interface StagePipelineOptions {
  /** Stage name: the ledger key, the `stage` metric label, part of every derived event id. */
  stage: string;
  /** Written into every envelope this stage produces. */
  producer: Producer;
  topicPrefix: string;
  handlers: StageHandlers;
  sink: DeliverySink;
  /** Idempotency ledger; null for a stage whose exactly-once comes from Kafka transactions alone (inference). */
  ledger: StageExecutionStore | null;
  deadLetterTopic?: DeadLetterTopic;
  /** Ends a run `failed` when one of its events is dead-lettered; null/absent: runs are not touched. */
  runs?: RunFailures | null;
  retry?: Partial<RetryPolicy>;
  /**
   * Deliveries (ledger claims) after which a message that never completed is dead-lettered without running
   * the handler again: a message that crashes the process must not crash it forever.
   */
  maxDeliveries?: number;
  contracts?: ContractRegistry;
  logger?: RuntimeLogger;
  metrics?: RuntimeMetrics;
  /** Runs handler work inside the observability log context (AsyncLocalStorage). */
  runInContext?: <R>(fields: LogFields, work: () => Promise<R>) => Promise<R>;
  /** Test seams. */
  random?: () => number;
  wait?: (ms: number, signal: AbortSignal) => Promise<void>;
}

export interface LogFields {
  correlationId: string;
  causationId: string | null;
  eventId: string;
  runId: string | null;
  topic: string;
}

export type ProcessOutcome =
  | { kind: 'completed'; outputEventIds: string[]; attempts: number }
  | { kind: 'duplicate'; previously: 'completed' | 'dead-lettered' }
  | { kind: 'dead-lettered'; reason: FailureKind; attempts: number; deadLetterId: string }
  /** Shutdown interrupted a backoff: nothing committed, the message will be redelivered. */
  | { kind: 'interrupted'; attempts: number };

export interface ProcessOptions {
  /** Aborted on shutdown. */
  signal?: AbortSignal;
}

/**
 * The per-message stage algorithm, independent of Kafka and Nest:
 * decode → claim in the ledger → handler with bounded retries → publish outputs + commit the offset
 * (one transaction when the sink is transactional) → complete in the ledger; or dead-letter + commit.
 *
 * Errors from the sink or the ledger claim are infrastructure failures, not the message's fault: they
 * propagate, the transport restarts consumption from the last committed offset, and the message is
 * redelivered (idempotently).
 */
export class StagePipeline {
  readonly stage: string;
  readonly retry: RetryPolicy;
  readonly deadLetterTopic: DeadLetterTopic;
  private readonly contracts: ContractRegistry;
  private readonly logger: RuntimeLogger;
  private readonly metrics: RuntimeMetrics;
  private readonly maxDeliveries: number;
  private readonly wait: (ms: number, signal: AbortSignal) => Promise<void>;

  constructor(private readonly options: StagePipelineOptions) {
    this.stage = options.stage;
    this.retry = retryPolicy(options.retry);
    this.deadLetterTopic = options.deadLetterTopic ?? 'pipeline.dlq';
    this.contracts = options.contracts ?? ContractRegistry.bundled();
    this.logger = options.logger ?? silentLogger;
    this.metrics = options.metrics ?? noopMetrics;
    this.maxDeliveries = options.maxDeliveries ?? 2 * this.retry.maxAttempts;
    this.wait = options.wait ?? sleep;
  }

  /** Input topics this pipeline has handlers for. */
  topics(): TopicName[] {
    return (Object.keys(this.options.handlers) as TopicName[]).filter(
      (t) => this.options.handlers[t] !== undefined,
    );
  }

  async process(message: InboundMessage, options: ProcessOptions = {}): Promise<ProcessOutcome> {
    const signal = options.signal ?? new AbortController().signal;
    this.metrics.consumed(message.kafkaTopic);
    const where = { topic: message.kafkaTopic, partition: message.partition, offset: message.offset };

    let event: EventByTopic[TopicName];
    try {
      if (message.value === null) throw new Error('message has no value (tombstone)');
      event = this.contracts.decode(message.topic, message.value);
    } catch (error) {
      // Undecodable bytes will never decode: no retry, straight to the dead-letter topic, bytes kept.
      this.logger.warn({ ...where, err: errorJson(error) }, 'undecodable message sent to dead-letter topic');
      return this.deadLetter(message, null, error, 1, 'decode');
    }

    const envelope = event.envelope;
    const fields: LogFields = {
      correlationId: envelope.correlationId,
      causationId: envelope.causationId,
      eventId: envelope.eventId,
      runId: envelope.runId,
      topic: message.kafkaTopic,
    };
    const run = this.options.runInContext ?? ((_f, work) => work());
    return run(fields, () => this.processEvent(message, event, fields, signal));
  }

  private async processEvent(
    message: InboundMessage,
    event: EventByTopic[TopicName],
    fields: LogFields,
    signal: AbortSignal,
  ): Promise<ProcessOutcome> {
    const { envelope } = event;
    // Unset ids (a command has no run yet) are left out rather than bound as null: a handler that opens a
    // run logs its runId, and the line must not say `runId: null` beside it.
    const ids = Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== null));
    const logger = this.logger.child({ stage: this.stage, ...ids, partition: message.partition });
    const { ledger } = this.options;

    if (ledger !== null) {
      const claim = await ledger.claim({
        stage: this.stage,
        eventId: envelope.eventId,
        codeVersion: this.options.producer.version,
        runId: envelope.runId,
        correlationId: envelope.correlationId,
        topic: message.kafkaTopic,
        partition: message.partition,
        offset: message.offset,
      });
      if (claim.kind !== 'claimed') {
        // Already handled (a redelivery or a duplicate publish): only move the offset on.
        await this.options.sink.deliver([], message);
        this.metrics.deduplicated(message.kafkaTopic);
        logger.info({ previously: claim.kind }, 'duplicate event skipped');
        return { kind: 'duplicate', previously: claim.kind };
      }
      if (claim.attempt > this.maxDeliveries) {
        const error = new Error(
          `delivered ${claim.attempt} times without completing (did the handler crash the process?)`,
        );
        logger.error({ deliveries: claim.attempt }, 'crash loop: dead-lettering without running the handler');
        return this.deadLetter(message, envelope, error, claim.attempt, 'crash-loop', logger);
      }
    }

    const started = Date.now();
    for (let attempt = 1; ; attempt++) {
      let records: OutboundRecord[];
      const attemptStarted = process.hrtime.bigint();
      try {
        const context: StageContext = {
          stage: this.stage,
          topic: message.topic,
          kafkaTopic: message.kafkaTopic,
          partition: message.partition,
          offset: message.offset,
          key: message.key,
          envelope,
          attempt,
          logger,
          signal,
        };
        const result = await invokeHandler(this.options.handlers, message.topic, event, context);
        records = this.encodeOutputs(envelope, toOutputs(result));
      } catch (error) {
        this.metrics.handlerDuration(this.stage, seconds(attemptStarted));
        this.metrics.failed(message.kafkaTopic, 'handler');
        const retryable = isRetryable(error) && !(error instanceof ContractError);
        logger.warn(
          { attempt, maxAttempts: this.retry.maxAttempts, retryable, err: errorJson(error) },
          'handler failed',
        );
        await this.recordFailure(envelope.eventId, error, logger);
        if (!retryable || attempt >= this.retry.maxAttempts) {
          return this.deadLetter(
            message,
            envelope,
            error,
            attempt,
            retryable ? 'exhausted' : 'non-retryable',
            logger,
          );
        }
        try {
          await this.wait(backoffDelay(this.retry, attempt, this.options.random), signal);
        } catch {
          logger.info({ attempt }, 'shutdown during backoff; the message will be redelivered');
          return { kind: 'interrupted', attempts: attempt };
        }
        continue;
      }
      this.metrics.handlerDuration(this.stage, seconds(attemptStarted));

      await this.options.sink.deliver(records, message);
      for (const record of records) this.metrics.produced(record.kafkaTopic, 1);
      const outputEventIds = records.map((r) => r.eventId);
      await this.settle(
        () =>
          ledger?.complete(this.stage, envelope.eventId, {
            outputEventIds,
            durationMs: Date.now() - started,
          }),
        logger,
      );
      logger.info({ attempt, outputs: outputEventIds.length }, 'event processed');
      return { kind: 'completed', outputEventIds, attempts: attempt };
    }
  }

  /** Envelopes (caused by the input, deterministic ids), validation against the schema, key, bytes. */
  private encodeOutputs(cause: Envelope, outputs: readonly StageOutput[]): OutboundRecord[] {
    return outputs.map((output, index) => {
      const event = withEnvelope(
        output,
        cause,
        this.options.producer,
        outputEventId(this.stage, cause.eventId, index),
      );
      const topic = output.topic;
      return {
        topic,
        kafkaTopic: topicName(this.options.topicPrefix, topic),
        key: messageKey(topic, event),
        value: this.contracts.encode(topic, event),
        eventId: event.envelope.eventId,
      };
    });
  }

  private async deadLetter(
    message: InboundMessage,
    cause: Envelope | null,
    error: unknown,
    attempts: number,
    reason: FailureKind,
    logger: RuntimeLogger = this.logger,
  ): Promise<ProcessOutcome> {
    const topic = this.deadLetterTopic;
    const letter = buildDeadLetter({
      stage: this.stage,
      producer: this.options.producer,
      topic,
      source: message,
      error,
      attempts,
      cause,
    });
    const kafkaTopic = topicName(this.options.topicPrefix, topic);
    await this.options.sink.deliver(
      [
        {
          topic,
          kafkaTopic,
          key: messageKey(topic, letter),
          value: this.contracts.encode(topic, letter),
          eventId: letter.envelope.eventId,
        },
      ],
      message,
    );
    this.metrics.failed(message.kafkaTopic, reason);
    this.metrics.produced(kafkaTopic, 1);
    if (cause !== null && this.options.ledger !== null) {
      const ledger = this.options.ledger;
      await this.settle(
        () => ledger.deadLetter(this.stage, cause.eventId, `${reason}: ${letter.reason}`),
        logger,
      );
    }
    logger.error(
      { reason, attempts, errorCode: letter.errorCode, deadLetterTopic: kafkaTopic },
      'message dead-lettered',
    );
    const runs = this.options.runs;
    const runId = cause?.runId ?? null;
    if (runs && runId !== null) {
      const why = `${describeFailure(reason, attempts)}: ${letter.reason}`;
      try {
        if (await runs.failRun(runId, this.stage, why))
          logger.warn({ runId, reason: why }, 'run ended as failed');
      } catch (error) {
        // The dead letter and the offset are committed; `netsentry runs show` still infers the failure from the
        // ledger. Not retried here: the message is done.
        logger.warn({ runId, err: errorJson(error) }, 'could not end the run as failed in the registry');
      }
    }
    return { kind: 'dead-lettered', reason, attempts, deadLetterId: letter.envelope.eventId };
  }

  private async recordFailure(eventId: string, error: unknown, logger: RuntimeLogger): Promise<void> {
    const ledger = this.options.ledger;
    if (ledger === null) return;
    await this.settle(
      () =>
        ledger.recordFailure(this.stage, eventId, { message: errorReason(error), code: errorCode(error) }),
      logger,
    );
  }

  /**
   * Ledger bookkeeping after the Kafka side is committed must not fail the message: the outputs are out
   * and the offset is committed. A lost update leaves the row 'claimed'; a later redelivery re-runs the
   * handler, which emits the same ids (absorbed downstream).
   */
  private async settle(write: () => Promise<void> | undefined, logger: RuntimeLogger): Promise<void> {
    try {
      await write();
    } catch (error) {
      logger.warn({ err: errorJson(error) }, 'ledger update failed after commit; continuing');
    }
  }
}

/** How a dead-lettered event failed, in words, for the run's reason. */
function describeFailure(reason: FailureKind, attempts: number): string {
  switch (reason) {
    case 'exhausted':
      return `failed ${attempts} times (retries exhausted)`;
    case 'non-retryable':
      return 'failed with an error that retrying cannot fix';
    case 'crash-loop':
      return `crashed the stage on ${attempts} deliveries`;
    case 'decode':
      return 'could not be decoded';
    case 'handler':
      return 'failed';
  }
}

function toOutputs(result: unknown): readonly StageOutput[] {
  if (result === undefined || result === null) return [];
  return Array.isArray(result) ? (result as StageOutput[]) : [result as StageOutput];
}

function withEnvelope(
  output: StageOutput,
  cause: Envelope,
  producer: Producer,
  eventId: string,
): EventByTopic[TopicName] {
  if ('envelope' in output.event) return output.event;
  const envelope: Envelope = {
    ...causedBy(output.topic, cause, producer, output.runId === undefined ? {} : { runId: output.runId }),
    eventId,
  };
  return { ...output.event, envelope };
}

function seconds(since: bigint): number {
  return Number(process.hrtime.bigint() - since) / 1e9;
}

/** Loggable error without payloads: name, code, message (stack only for non-contract errors). */
export function errorJson(error: unknown): Record<string, unknown> {
  if (error instanceof ContractError) return { ...error.toJSON() };
  if (error instanceof Error)
    return { name: error.name, code: errorCode(error), message: error.message, stack: error.stack };
  return { message: String(error) };
}
