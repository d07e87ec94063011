import { isolatedStageEnv, repoRoot } from '@netsentry/testkit';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// The service as users run it (dist/main.js, built by `npm run build`): bad configuration stops it at
// start-up with one JSON line naming every variable at fault and exit 78, not a stack trace.
const main = join(repoRoot, 'services/validation/dist/main.js');

function start(env: Record<string, string>): { status: number | null; lines: string[] } {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('NETSENTRY_')));
  const result = spawnSync(process.execPath, [main], {
    env: { ...base, ...isolatedStageEnv('startup'), NETSENTRY_HTTP_PORT: '0', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  const lines = `${result.stdout}${result.stderr}`.split('\n').filter((l) => l.trim() !== '');
  return { status: result.status, lines };
}

type FatalLine = { level: string; service: string; msg: string; err: { code: string; variables: string[] } };

describe('validation start-up on bad configuration', () => {
  it.each([
    ['a base setting', { NETSENTRY_HTTP_PORT: 'eighty' }, 'NETSENTRY_HTTP_PORT'],
    [
      "the stage's own section",
      { NETSENTRY_VALIDATION_DRIFT_COLUMNS: 'kss' },
      'NETSENTRY_VALIDATION_DRIFT_COLUMNS',
    ],
  ])('exits 78 with one JSON line naming the variable (%s)', (_what, env, variable) => {
    expect(existsSync(main), 'run `npm run build` first').toBe(true);
    const { status, lines } = start(env);
    expect(status).toBe(78);
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0]!) as FatalLine;
    expect(line).toMatchObject({ level: 'fatal', service: 'validation', err: { code: 'CONFIG_INVALID' } });
    expect(line.err.variables).toEqual([variable]);
  });
});
