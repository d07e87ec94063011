import { kafkaSection, loadConfig } from '@netsentry/config';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { logLevel } from 'kafkajs';
import { kafkaConfig, kafkaLogLevel } from './kafka-factory';

// From environment variables to the kafkajs client config: what an operator sets is what the client uses.
describe('kafkaConfig', () => {
  const load = (env: Record<string, string>) =>
    kafkaConfig(
      loadConfig(kafkaSection({ clientId: 'trainer' }), {
        NETSENTRY_KAFKA_BROKERS: 'k1:9093,k2:9093',
        ...env,
      }),
    );

  it('maps a plain connection', () => {
    const config = load({});
    expect(config).toMatchObject({ clientId: 'trainer', brokers: ['k1:9093', 'k2:9093'] });
    expect(config.ssl).toBeUndefined();
    expect(config.sasl).toBeUndefined();
  });

  it('maps SASL/SCRAM over TLS with the system CAs', () => {
    const config = load({
      NETSENTRY_KAFKA_SSL: 'true',
      NETSENTRY_KAFKA_SASL_MECHANISM: 'scram-sha-512',
      NETSENTRY_KAFKA_SASL_USERNAME: 'svc-trainer',
      NETSENTRY_KAFKA_SASL_PASSWORD: 's3cret-pw',
    });
    expect(config.ssl).toBe(true);
    expect(config.sasl).toEqual({
      mechanism: 'scram-sha-512',
      username: 'svc-trainer',
      password: 's3cret-pw',
    });
  });

  it('maps SASL/PLAIN without TLS', () => {
    const config = load({
      NETSENTRY_KAFKA_SASL_MECHANISM: 'plain',
      NETSENTRY_KAFKA_SASL_USERNAME: 'u',
      NETSENTRY_KAFKA_SASL_PASSWORD: 'p4ssword',
    });
    expect(config.sasl).toEqual({ mechanism: 'plain', username: 'u', password: 'p4ssword' });
    expect(config.ssl).toBeUndefined();
  });

  it('passes the contents of TLS files, not their paths, and verifies the broker', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kafka-tls-'));
    const files = { ca: 'CA PEM', cert: 'CERT PEM', key: 'KEY PEM' };
    for (const [name, pem] of Object.entries(files)) writeFileSync(join(dir, `${name}.pem`), pem);
    const config = load({
      NETSENTRY_KAFKA_SSL: 'true',
      NETSENTRY_KAFKA_SSL_CA_FILE: join(dir, 'ca.pem'),
      NETSENTRY_KAFKA_SSL_CERT_FILE: join(dir, 'cert.pem'),
      NETSENTRY_KAFKA_SSL_KEY_FILE: join(dir, 'key.pem'),
    });
    expect(config.ssl).toEqual({
      rejectUnauthorized: true,
      ca: ['CA PEM'],
      cert: 'CERT PEM',
      key: 'KEY PEM',
    });
  });
});

describe('kafkaLogLevel', () => {
  const entry = (namespace: string, level: logLevel, message: string, extra: object = {}) => ({
    namespace,
    level,
    label: 'ERROR',
    log: { timestamp: '', logger: 'kafkajs', message, ...extra },
  });

  it('lowers the error responses kafkajs retries or hands back to its caller to debug', () => {
    expect(
      kafkaLogLevel(
        entry('Connection', logLevel.ERROR, 'Response Metadata(key: 3, version: 6)', {
          error:
            'There is no leader for this topic-partition as we are in the middle of a leadership election',
        }),
      ),
    ).toBe('debug');
    expect(
      kafkaLogLevel(entry('Connection', logLevel.ERROR, 'Response CreateTopics(key: 19, version: 3)')),
    ).toBe('debug');
    expect(
      kafkaLogLevel(
        entry('Runner', logLevel.ERROR, 'The coordinator is not aware of this member, re-joining the group'),
      ),
    ).toBe('info');
    const retried = (error: string) =>
      kafkaLogLevel(
        entry('Producer', logLevel.ERROR, `Failed to send messages: ${error}`, { retryCount: 0 }),
      );
    expect(
      retried(
        'The producer attempted to update a transaction while another concurrent operation on the same transaction was ongoing',
      ),
    ).toBe('debug');
    // A partition's leadership settling right after its topic was created (seen on a normal start).
    expect(retried('This server is not the leader for that topic-partition')).toBe('debug');
    expect(retried('The request timed out')).toBe('warn');
  });

  it('keeps the errors an operator must act on, and every other level as kafkajs gave it', () => {
    expect(kafkaLogLevel(entry('Consumer', logLevel.ERROR, 'Crash: KafkaJSNumberOfRetriesExceeded'))).toBe(
      'error',
    );
    expect(kafkaLogLevel(entry('BrokerPool', logLevel.ERROR, 'Failed to connect to seed broker'))).toBe(
      'error',
    );
    expect(kafkaLogLevel(entry('Producer', logLevel.WARN, 'Limiting retries'))).toBe('warn');
    expect(kafkaLogLevel(entry('Consumer', logLevel.INFO, 'Starting'))).toBe('info');
    expect(kafkaLogLevel(entry('Connection', logLevel.DEBUG, 'Request'))).toBe('debug');
  });
});
