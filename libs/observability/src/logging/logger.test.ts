import { describe, expect, it } from 'vitest';
import { logContext, withContext } from './context';
import { createLogger } from './logger';
import { CapturingStream } from './capturing-stream';
import { duplicateKeys } from './json-keys';

const SECRETS = ['kafka-sasl-pw-1', 'mongo"pw\\2', 'ab'];

function setup(level: 'info' | 'debug' = 'info'): {
  stream: CapturingStream;
  logger: ReturnType<typeof createLogger>;
} {
  const stream = new CapturingStream();
  const logger = createLogger({
    service: 'trainer',
    version: '1.2.3',
    level,
    redact: SECRETS,
    destination: stream,
  });
  return { stream, logger };
}

describe('createLogger', () => {
  it('writes JSON lines with service, version, ISO time and the level as a label', () => {
    const { stream, logger } = setup();
    logger.info({ rows: 3 }, 'snapshot written');
    logger.debug('not at info');
    expect(stream.records).toHaveLength(1);
    expect(stream.records[0]).toMatchObject({
      level: 'info',
      service: 'trainer',
      version: '1.2.3',
      rows: 3,
      msg: 'snapshot written',
    });
    expect(stream.records[0]!.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('censors credential keys wherever a call passes them', () => {
    const { stream, logger } = setup();
    logger.info({
      password: 'p1-not-configured',
      kafka: { sasl: { mechanism: 'plain', username: 'u', password: 'p2-not-configured' } },
      s3: { credentials: { accessKeyId: 'AKIA', secretAccessKey: 'p3-not-configured' } },
      headers: { authorization: 'Bearer p4-not-configured' },
      key: 'record-42',
    });
    expect(stream.text).not.toMatch(/p\d-not-configured/);
    expect(stream.records[0]).toMatchObject({
      password: '[REDACTED]',
      kafka: { sasl: { mechanism: 'plain', username: 'u', password: '[REDACTED]' } },
      key: 'record-42',
    });
  });

  it('scrubs configured secret values from messages, fields, errors and bindings', () => {
    const { stream, logger } = setup();
    logger.info('connecting with kafka-sasl-pw-1');
    logger.info({ detail: { deep: { inside: ['x kafka-sasl-pw-1 y'] } } }, 'nested');
    logger.error({ err: new Error('auth failed for mongo"pw\\2') }, 'boom');
    logger.child({ dsn: 'user=u password=kafka-sasl-pw-1' }).warn('child');
    expect(stream.lines).toHaveLength(4);
    expect(stream.text).not.toContain('kafka-sasl-pw-1');
    expect(stream.text).not.toContain('pw\\\\2');
    expect(stream.records[0]!.msg).toBe('connecting with [REDACTED]');
    expect((stream.records[2]!.err as { message: string }).message).toBe('auth failed for [REDACTED]');
  });

  it('scrubs passwords in URLs even when they were never configured', () => {
    const { stream, logger } = setup();
    logger.info(
      { uri: 'mongodb://netsentry:url-pw-9@mongo-0:27017,mongo-1:27017/db' },
      'see http://a:b0b@h/x',
    );
    expect(stream.text).not.toContain('url-pw-9');
    expect(stream.records[0]).toMatchObject({
      uri: 'mongodb://netsentry:[REDACTED]@mongo-0:27017,mongo-1:27017/db',
      msg: 'see http://a:[REDACTED]@h/x',
    });
  });

  it('leaves secrets too short to scrub alone instead of shredding every line', () => {
    const { stream, logger } = setup();
    logger.info('absolutely fine');
    expect(stream.records[0]!.msg).toBe('absolutely fine');
  });
});

describe('correlation', () => {
  it('withContext binds the event ids to every line of the child logger', () => {
    const { stream, logger } = setup();
    withContext(logger, {
      correlationId: 'c-1',
      causationId: 'e-0',
      eventId: 'e-1',
      runId: 'r-1',
      topic: 't',
    }).info('handled');
    expect(stream.records[0]).toMatchObject({
      correlationId: 'c-1',
      causationId: 'e-0',
      eventId: 'e-1',
      runId: 'r-1',
      topic: 't',
    });
  });

  it('logContext.run carries the ids across awaits to loggers that were never given them', async () => {
    const { stream, logger } = setup();
    const deepInDomainCode = async (): Promise<void> => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      logger.info('deep');
    };
    await logContext.run({ correlationId: 'c-2', eventId: 'e-2' }, async () => {
      await deepInDomainCode();
      await logContext.run({ eventId: 'e-3' }, deepInDomainCode);
    });
    logger.info('outside');
    expect(stream.records.map((r) => [r.correlationId, r.eventId])).toEqual([
      ['c-2', 'e-2'],
      ['c-2', 'e-3'],
      [undefined, undefined],
    ]);
  });

  it('does not repeat an id a child logger is already bound to', () => {
    const { stream, logger } = setup();
    logContext.run({ correlationId: 'c-4', runId: 'r-4' }, () =>
      withContext(logger, { correlationId: 'c-4' }).info('once'),
    );
    expect(stream.lines[0]!.match(/"correlationId"/g)).toHaveLength(1);
    expect(stream.records[0]).toMatchObject({ correlationId: 'c-4', runId: 'r-4' });
  });

  it('writes a key once when a child binding repeats it: the child’s value replaces the parent’s', () => {
    const { stream, logger } = setup();
    // transport.ts binds the stage, and the stage pipeline binds it again with the event's ids.
    const transport = logger.child({ stage: 'trainer' });
    const perEvent = transport.child({ stage: 'trainer', runId: null, eventId: 'e-5' });
    perEvent.info('handled');
    perEvent.child({ runId: 'run-5' }).info('run opened');
    transport.info('plain');
    for (const line of stream.lines) expect(duplicateKeys(line)).toEqual([]);
    expect(stream.lines[0]!.match(/"stage"/g)).toHaveLength(1);
    expect(stream.records.map((r) => [r.stage, r.runId, r.eventId, r.msg])).toEqual([
      ['trainer', null, 'e-5', 'handled'],
      ['trainer', 'run-5', 'e-5', 'run opened'],
      ['trainer', undefined, undefined, 'plain'],
    ]);
  });

  it('writes a key once when a call field repeats a binding: the call’s value wins', () => {
    const { stream, logger } = setup();
    const bound = logger.child({ runId: null, stage: 'ingestion' });
    bound.info({ runId: 'run-6', rows: 2 }, 'run opened');
    bound.info({ rows: 3 }, 'no repeat');
    expect(stream.lines.map(duplicateKeys)).toEqual([[], []]);
    expect(stream.records[0]).toMatchObject({ runId: 'run-6', stage: 'ingestion', rows: 2 });
    expect(Object.keys(stream.records[0]!).indexOf('runId')).toBeLessThan(
      Object.keys(stream.records[0]!).indexOf('rows'),
    );
    // Scrubbing still applies to a rewritten line.
    bound.info({ stage: 'kafka-sasl-pw-1' }, 'secret in a repeated key');
    expect(stream.lines[2]).not.toContain('kafka-sasl-pw-1');
  });
});

describe('duplicateKeys', () => {
  it('finds keys repeated at any depth, and none in clean JSON', () => {
    expect(duplicateKeys('{"a":1,"b":{"c":"x","c":"y"},"a":2,"s":"a\\"b:\\"","l":[{"k":1,"k":2}]}')).toEqual([
      'b.c',
      'a',
      'l.[].k',
    ]);
    expect(duplicateKeys(JSON.stringify({ a: { a: { a: 1 } }, b: ['a', 'a'], c: '"a":' }))).toEqual([]);
  });
});
