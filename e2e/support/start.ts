import { freePortRange, isolatedStageEnv, repoRoot } from '@netsentry/testkit';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** What `netsentry start --summary-json` writes (the fields the tests read). */
export interface Summary {
  dataset: string;
  run: {
    runId: string;
    status: string;
    trainedNow: boolean;
    stages: { stage: string; status: string; durationMs: number | null; detail: string | null }[];
  } | null;
  model: { version: string; candidate: string; cvF1: number | null; testF1: number | null };
  traffic: {
    replayed: number;
    predicted: number;
    duplicates: number;
    deadLettered: number;
    missing: number;
    modelVersions: Record<string, number>;
    p50Ms: number | null;
    p99Ms: number | null;
    throughputPerSec: number | null;
  };
  firstPredictionAfterMs: number | null;
  services: {
    name: string;
    url: string;
    pid: number | null;
    reused: boolean;
    crashes: number;
    log: string;
  }[];
}

export interface SupervisedFile {
  supervisorPid: number;
  processes: { name: string; pid: number | null; state: string; crashes: number; restarts: number }[];
}

/** An isolated system for one test file: its own topics, database, bucket, secret, ports and log folder. */
export interface E2eSystem {
  readonly env: Record<string, string>;
  readonly portBase: number;
  readonly logDir: string;
  readonly summaryFile: string;
}

export async function e2eSystem(label: string, settings: Record<string, string> = {}): Promise<E2eSystem> {
  const { NETSENTRY_HTTP_PORT: _port, ...isolated } = isolatedStageEnv(label);
  const dir = mkdtempSync(join(tmpdir(), `netsentry-e2e-${label}-`));
  return {
    env: { ...isolated, NETSENTRY_LOG_LEVEL: 'info', ...settings },
    portBase: await freePortRange(7),
    logDir: join(dir, 'logs'),
    summaryFile: join(dir, 'summary.json'),
  };
}

export interface StartedCommand {
  readonly child: ChildProcess;
  /** stdout and stderr so far. */
  output(): { stdout: string; stderr: string };
  readonly exited: Promise<{
    code: number | null;
    signal: NodeJS.Signals | null;
    stdout: string;
    stderr: string;
  }>;
}

/** The process environment for a command as a user runs it: theirs (PATH, HOME, NETSENTRY_*), not vitest's. */
function userEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    // the developer's NETSENTRY_* stay (server ports, state and cache dirs); the system's settings win below
    if (
      k.startsWith('VITEST') ||
      k.startsWith('NETSENTRY_START_') ||
      k === 'NODE_OPTIONS' ||
      k === 'NODE_ENV'
    )
      continue;
    env[k] = v;
  }
  return { ...env, ...extra };
}

/**
 * Runs `npm start`'s script (`scripts/start.sh`, what `npm start -- <args>` runs) or the CLI directly
 * (`node cli/bin/netsentry.js <args>`) as a separate process, with the system's isolated settings.
 */
export function run(
  system: E2eSystem,
  args: readonly string[],
  how: 'npm-start' | 'cli' = 'cli',
): StartedCommand {
  const [command, argv] =
    how === 'npm-start'
      ? ['bash', [join(repoRoot, 'scripts', 'start.sh'), ...args]]
      : [process.execPath, [join(repoRoot, 'cli', 'bin', 'netsentry.js'), ...args]];
  const child = spawn(command, argv, {
    cwd: repoRoot,
    env: userEnv(system.env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (b: Buffer) => (stdout += b.toString('utf8')));
  child.stderr?.on('data', (b: Buffer) => (stderr += b.toString('utf8')));
  const exited = new Promise<{
    code: number | null;
    signal: NodeJS.Signals | null;
    stdout: string;
    stderr: string;
  }>((resolve) => child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { child, exited, output: () => ({ stdout, stderr }) };
}

/** `start` with the system's ports, log folder and summary file. */
export function startArgs(system: E2eSystem, extra: readonly string[] = []): string[] {
  return [
    'start',
    '--port-base',
    String(system.portBase),
    '--log-dir',
    system.logDir,
    '--summary-json',
    system.summaryFile,
    ...extra,
  ];
}

export function readSummary(system: E2eSystem): Summary {
  return JSON.parse(readFileSync(system.summaryFile, 'utf8')) as Summary;
}

export function readSupervised(system: E2eSystem): SupervisedFile {
  return JSON.parse(readFileSync(join(system.logDir, 'supervised.json'), 'utf8')) as SupervisedFile;
}

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs: number,
  everyMs = 500,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export const summaryWritten = (system: E2eSystem): boolean => existsSync(system.summaryFile);

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
