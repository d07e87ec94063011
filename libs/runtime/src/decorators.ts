import 'reflect-metadata';
import { Catch, UseFilters, applyDecorators, type RpcExceptionFilter } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { PARAM_ARGS_METADATA } from '@nestjs/microservices/constants';
import type { TopicName } from '@netsentry/contracts';
import { throwError, type Observable } from 'rxjs';
import type { BatchHandlerOptions } from './batch-handler';

/**
 * Nest's default RPC exception filter replaces any error with { status: 'error', message: 'Internal server
 * error' }; the stage pipeline needs the original to decide on retries and to write the dead letter.
 */
@Catch()
export class RethrowStageErrors implements RpcExceptionFilter<unknown> {
  catch(exception: unknown): Observable<never> {
    return throwError(() => exception);
  }
}

export interface StageHandlerOptions {
  /**
   * Every replica handles every message (its own consumer group per instance, at-least-once, no ledger):
   * for control topics such as `model.pushed`, which each inference replica must see.
   */
  broadcast?: boolean;
}

/** What the decorators leave in the handler's Nest `extras`, read by the transport. */
export interface StageHandlerExtras {
  netsentry?: { broadcast?: boolean; batch?: BatchHandlerOptions };
}

/**
 * Marks a controller method as the stage's handler for `topic`: an @EventPattern that keeps errors intact
 * and, unless the method uses @Payload()/@Ctx() itself, passes (event, StageContext) — Nest would pass the
 * event alone.
 */
export function StageHandler(topic: TopicName, options: StageHandlerOptions = {}): MethodDecorator {
  const defaultParams: MethodDecorator = (target, key) => {
    // Parameter decorators have run by now: only add ours when the method declared none.
    if (Reflect.getMetadata(PARAM_ARGS_METADATA, target.constructor, key) !== undefined) return;
    Payload()(target, key, 0);
    Ctx()(target, key, 1);
  };
  const extras: StageHandlerExtras = options.broadcast === true ? { netsentry: { broadcast: true } } : {};
  return applyDecorators(defaultParams, EventPattern(topic, extras), UseFilters(new RethrowStageErrors()));
}

/**
 * Marks a controller method as the batch handler of a high-volume topic (live traffic): the method gets a
 * `StageBatch` — the decoded messages of one partition, up to `maxRecords` — and returns the encoded outputs
 * and the messages it refuses. Undecodable and refused messages go to the dead-letter topic one by one;
 * outputs, dead letters and the consumed offset commit in one Kafka transaction per batch; partitions are
 * consumed concurrently, each with its own transactional producer.
 */
export function StageBatchHandler(topic: TopicName, options: BatchHandlerOptions = {}): MethodDecorator {
  const param: MethodDecorator = (target, key) => {
    if (Reflect.getMetadata(PARAM_ARGS_METADATA, target.constructor, key) !== undefined) return;
    Payload()(target, key, 0);
  };
  const extras: StageHandlerExtras = { netsentry: { batch: options } };
  return applyDecorators(param, EventPattern(topic, extras), UseFilters(new RethrowStageErrors()));
}
