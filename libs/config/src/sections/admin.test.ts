import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors';
import { loadConfig, secretValues } from '../load';
import { adminSection } from './admin';
import { serviceSection } from './service';

const SECRET = '3f9a1c7e5b2d8f4a6c0e9b1d7f3a5c8e';

describe('adminSection', () => {
  it('reads the shared secret and the replay window (default 5 minutes)', () => {
    expect(loadConfig(adminSection(), { NETSENTRY_ADMIN_SECRET: SECRET })).toEqual({
      secret: SECRET,
      replayWindowMs: 300_000,
    });
    const env = { NETSENTRY_ADMIN_SECRET: SECRET, NETSENTRY_ADMIN_REPLAY_WINDOW: '90s' };
    expect(loadConfig(adminSection(), env).replayWindowMs).toBe(90_000);
  });

  it('requires a secret of at least 32 characters, naming the variable but never the value', () => {
    expect(() => loadConfig(adminSection(), {})).toThrow(/NETSENTRY_ADMIN_SECRET/);
    let error: unknown;
    try {
      loadConfig(adminSection(), { NETSENTRY_ADMIN_SECRET: 'short-secret-123' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(/NETSENTRY_ADMIN_SECRET.*at least 32 characters/);
    expect((error as Error).message).not.toContain('short-secret-123');
  });

  it('is a secret every service scrubs from its logs, whether or not it verifies commands', () => {
    expect(secretValues(loadConfig(adminSection(), { NETSENTRY_ADMIN_SECRET: SECRET }))).toContain(SECRET);
    const service = loadConfig(serviceSection({ name: 'trainer', httpPort: 8084 }), {
      NETSENTRY_ADMIN_SECRET: SECRET,
    });
    expect(secretValues(service)).toContain(SECRET);
    expect(JSON.stringify(service)).not.toContain(SECRET);
  });
});
