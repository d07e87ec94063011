import { hostname } from 'node:os';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { buildVersion } from '../build-id';
import { loadConfig } from '../load';
import { serviceSection, type LogLevel } from './service';

describe('serviceSection', () => {
  const section = serviceSection({ name: 'evaluator', httpPort: 3005, version: '0.1.0' });

  it('defaults the port per service, the host, the level and the version', () => {
    const settings = loadConfig(section, {});
    expect(settings).toEqual({
      name: 'evaluator',
      version: '0.1.0',
      http: { host: '0.0.0.0', port: 3005 },
      logLevel: 'info',
      instanceId: hostname().replace(/[^A-Za-z0-9._-]/g, '-'),
    });
    expectTypeOf(settings.logLevel).toEqualTypeOf<LogLevel>();
  });

  it('reads overrides and falls back to the build id, or dev, without a package version', () => {
    const env = {
      NETSENTRY_HTTP_PORT: '0',
      NETSENTRY_LOG_LEVEL: 'DEBUG',
      NETSENTRY_SERVICE_VERSION: 'sha-abc',
      NETSENTRY_INSTANCE_ID: 'inference-1',
    };
    expect(loadConfig(section, env)).toMatchObject({
      version: 'sha-abc',
      http: { port: 0 },
      logLevel: 'debug',
      instanceId: 'inference-1',
    });
    expect(loadConfig(serviceSection({ name: 'x', httpPort: 1 }), {}).version).toBe(buildVersion() ?? 'dev');
  });

  it('refuses a port out of range and an unknown level', () => {
    expect(() =>
      loadConfig(section, { NETSENTRY_HTTP_PORT: '70000', NETSENTRY_LOG_LEVEL: 'verbose' }),
    ).toThrow(
      [
        'invalid configuration:',
        '  - NETSENTRY_HTTP_PORT: expected a port in 0..65535, got "70000"',
        '  - NETSENTRY_LOG_LEVEL: expected one of fatal, error, warn, info, debug, trace, got "verbose"',
      ].join('\n'),
    );
  });
});
