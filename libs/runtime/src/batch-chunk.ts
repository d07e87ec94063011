import {
  CodedError,
  ContractRegistry,
  messageKey,
  topicName,
  type Producer as EventProducer,
  type TopicName,
} from '@netsentry/contracts';
import type { BatchHandlerOptions, BatchRejection, BatchResult, StageBatchHandlerFn } from './batch-handler';
import { buildDeadLetter, type DeadLetterTopic } from './dead-letter';
import type { InboundMessage } from './messages';
import type { RuntimeLogger, RuntimeMetrics } from './ports';
import { backoffDelay, retryPolicy, sleep, type RetryPolicy } from './retry';
import { errorJson } from './stage-pipeline';

/** A null message value: nothing to decode. */
class TombstoneError extends CodedError<'TOMBSTONE'> {
  readonly code = 'TOMBSTONE';
  override readonly retryable = false;
  constructor() {
    super('message has no value (tombstone)');
  }
}

/** One message to produce in a chunk's transaction. */
export interface ChunkMessage {
  readonly key: string | Buffer | null;
  readonly value: Buffer;
}

/** A chunk decoded and handled: what its transaction produces, and what follows its commit. */
export interface PreparedChunk {
  readonly partition: number;
  /** The chunk's last offset (the committed offset is the next one). */
  readonly lastOffset: string;
  /** Outputs by Kafka topic, then the dead letters; empty when the chunk produces nothing. */
  readonly topicMessages: readonly { readonly topic: string; readonly messages: ChunkMessage[] }[];
  /** After the commit: the handler's onCommitted, then the produced/failed metrics. */
  committed(): void;
}

export interface ChunkProcessorOptions {
  stage: string;
  topic: TopicName;
  kafkaTopic: string;
  topicPrefix: string;
  handler: StageBatchHandlerFn;
  decode: (message: InboundMessage) => unknown;
  producer: EventProducer;
  deadLetterTopic: DeadLetterTopic;
  contracts: ContractRegistry;
  retry: RetryPolicy;
  logger: RuntimeLogger;
  metrics: RuntimeMetrics;
  /** Aborted on shutdown: cuts a retry's backoff short (the chunk is then not committed). */
  signal: AbortSignal;
}

/** The batch path's defaults, the same on both clients. */
export const BATCH_DEFAULTS = { maxRecords: 2_000, maxWaitMs: 20, partitionsConcurrently: 4 } as const;

/** What both batch consumers' options carry for the chunk logic. */
export interface BatchChunkSettings {
  stage: string;
  topic: TopicName;
  topicPrefix: string;
  handler: StageBatchHandlerFn;
  batch?: BatchHandlerOptions;
  /** Written into the envelope of every dead letter. */
  producer: EventProducer;
  deadLetterTopic: DeadLetterTopic;
  /** Handler retries for one chunk before its messages are dead-lettered with the error. */
  retry?: Partial<RetryPolicy>;
  contracts?: ContractRegistry;
}

/** A consumer's ChunkProcessor from its options: Avro decode by default, 3 handler attempts. */
export function chunkProcessorFor(
  o: BatchChunkSettings,
  kafkaTopic: string,
  logger: RuntimeLogger,
  metrics: RuntimeMetrics,
  signal: AbortSignal,
): ChunkProcessor {
  const contracts = o.contracts ?? ContractRegistry.bundled();
  const topic = o.topic;
  return new ChunkProcessor({
    stage: o.stage,
    topic,
    kafkaTopic,
    topicPrefix: o.topicPrefix,
    handler: o.handler,
    decode: o.batch?.decode ?? ((m) => contracts.decode(topic, m.value!)),
    producer: o.producer,
    deadLetterTopic: o.deadLetterTopic,
    contracts,
    retry: retryPolicy({ maxAttempts: 3, ...o.retry }),
    logger,
    metrics,
    signal,
  });
}

/**
 * The part of the batch path both Kafka clients share (decision 0012): decode each message (an undecodable
 * one is dead-lettered alone), one handler call with bounded retries for the rest, the dead letters built.
 * The consumer then produces `topicMessages` and commits the offset in one transaction.
 */
export class ChunkProcessor {
  private readonly dlqTopic: string;

  constructor(private readonly o: ChunkProcessorOptions) {
    this.dlqTopic = topicName(o.topicPrefix, o.deadLetterTopic);
  }

  /** Null when shutdown interrupted the handler's retries: nothing is to be committed. */
  async prepare(
    partition: number,
    chunk: readonly InboundMessage[],
    receivedAt = Date.now(),
  ): Promise<PreparedChunk | null> {
    const records: { value: unknown; message: InboundMessage }[] = [];
    const rejected: BatchRejection[] = [];
    const decodeFailures = new Set<InboundMessage>();
    for (const message of chunk) {
      if (message.value === null) {
        rejected.push({ message, error: new TombstoneError() });
        decodeFailures.add(message);
        continue;
      }
      try {
        records.push({ value: this.o.decode(message), message });
      } catch (error) {
        rejected.push({ message, error });
        decodeFailures.add(message);
      }
    }
    this.o.metrics.consumed(this.o.kafkaTopic, chunk.length);

    let outputs: NonNullable<BatchResult['outputs']> = [];
    let onCommitted: (() => void) | undefined;
    if (records.length > 0) {
      const handled = await this.handle(partition, records, [...rejected], receivedAt);
      if (handled === null) return null;
      outputs = handled.outputs ?? [];
      onCommitted = handled.onCommitted;
      rejected.push(...(handled.rejected ?? []));
    }

    const byTopic = new Map<string, ChunkMessage[]>();
    for (const o of outputs) {
      const t = topicName(this.o.topicPrefix, o.topic);
      let list = byTopic.get(t);
      if (list === undefined) byTopic.set(t, (list = []));
      list.push({ key: o.key, value: o.value });
    }
    if (rejected.length > 0) {
      const letters = rejected.map(({ message, error }) => this.deadLetter(message, error));
      byTopic.set(this.dlqTopic, [...(byTopic.get(this.dlqTopic) ?? []), ...letters]);
    }
    const topicMessages = [...byTopic].map(([topic, messages]) => ({ topic, messages }));
    return {
      partition,
      lastOffset: chunk[chunk.length - 1]!.offset,
      topicMessages,
      committed: () => {
        onCommitted?.();
        for (const { topic, messages } of topicMessages) this.o.metrics.produced(topic, messages.length);
        for (const r of rejected)
          this.o.metrics.failed(
            this.o.kafkaTopic,
            decodeFailures.has(r.message) ? 'decode' : 'non-retryable',
          );
      },
    };
  }

  /** The handler with bounded retries; after the last attempt every message of the chunk is refused with the error. */
  private async handle(
    partition: number,
    records: { value: unknown; message: InboundMessage }[],
    undecodable: readonly BatchRejection[],
    receivedAt: number,
  ): Promise<BatchResult | null> {
    const o = this.o;
    for (let attempt = 1; ; attempt++) {
      const started = process.hrtime.bigint();
      try {
        const result = await o.handler({
          stage: o.stage,
          topic: o.topic,
          kafkaTopic: o.kafkaTopic,
          partition,
          records,
          undecodable,
          receivedAt,
          attempt,
          logger: o.logger,
          signal: o.signal,
        });
        o.metrics.handlerDuration(o.stage, Number(process.hrtime.bigint() - started) / 1e9);
        return result;
      } catch (error) {
        const fields = { partition, records: records.length, attempt, err: errorJson(error) };
        if (attempt >= o.retry.maxAttempts) {
          o.logger.error(fields, 'batch handler kept failing; its records go to the dead-letter topic');
          return { rejected: records.map((r) => ({ message: r.message, error })) };
        }
        o.logger.warn(fields, 'batch handler failed; retrying');
        try {
          await sleep(backoffDelay(o.retry, attempt), o.signal);
        } catch {
          return null;
        }
      }
    }
  }

  private deadLetter(message: InboundMessage, error: unknown): ChunkMessage {
    const topic = this.o.deadLetterTopic;
    const letter = buildDeadLetter({
      stage: this.o.stage,
      producer: this.o.producer,
      topic,
      source: message,
      error,
      attempts: 1,
      cause: null,
    });
    return { key: messageKey(topic, letter), value: this.o.contracts.encode(topic, letter) };
  }
}
