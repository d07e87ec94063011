import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Where a headless Chromium was found, or why there is none. */
export type ChromiumLookup = { readonly path: string } | { readonly path: null; readonly reason: string };

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** `NETSENTRY_CHROMIUM`, else `chromium` (Debian's package) or `chromium-browser` on the PATH. */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string | null {
  const explicit = env['NETSENTRY_CHROMIUM'];
  if (explicit !== undefined && explicit !== '') return executable(explicit) ? explicit : null;
  const dirs = (env['PATH'] ?? '').split(delimiter).filter((d) => d !== '');
  for (const name of ['chromium', 'chromium-browser']) {
    for (const dir of [...dirs, '/usr/bin']) {
      const candidate = join(dir, name);
      if (executable(candidate)) return candidate;
    }
  }
  return null;
}

function apt(args: readonly string[], log: (line: string) => void): boolean {
  log(`netsentry: apt-get ${args.join(' ')} …`);
  const result = spawnSync('apt-get', ['-o', 'DPkg::Lock::Timeout=600', ...args], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    timeout: 900_000,
  });
  return result.status === 0;
}

/**
 * The system Chromium for browser tests, installed from Debian's `chromium` package when missing (as
 * `deploy/local/infra` installs the servers on first use). Only when it cannot be installed (not root, no
 * apt-get, the package unavailable) is the answer `path: null` with the reason, for the test to skip on.
 */
export function ensureChromium(log: (line: string) => void = console.log): ChromiumLookup {
  const found = findChromium();
  if (found !== null) return { path: found };
  if (process.env['NETSENTRY_CHROMIUM']) {
    return {
      path: null,
      reason: `NETSENTRY_CHROMIUM=${process.env['NETSENTRY_CHROMIUM']} is not an executable`,
    };
  }
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) {
    return {
      path: null,
      reason: 'chromium is not installed and installing it needs root: apt-get install chromium',
    };
  }
  if (spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status !== 0) {
    return { path: null, reason: 'chromium is not installed and there is no apt-get to install it with' };
  }
  const installed =
    apt(['install', '-y', 'chromium'], log) ||
    (apt(['update'], log) && apt(['install', '-y', 'chromium'], log));
  const path = findChromium();
  if (installed && path !== null) return { path };
  return { path: null, reason: 'apt-get install chromium failed (see the messages above)' };
}
