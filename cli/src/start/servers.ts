import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/** The local servers `deploy/local/infra` runs (Kafka, FerretDB, S3Proxy, Prometheus). */
export interface LocalServers {
  /** The servers this call started (the others were running already and are reused). */
  readonly started: readonly string[];
  readonly reused: readonly string[];
}

export class InfraError extends Error {
  constructor(
    message: string,
    readonly exitCode: number | null,
  ) {
    super(message);
    this.name = 'InfraError';
  }
}

function infra(root: string): string {
  return join(root, 'deploy', 'local', 'infra');
}

interface InfraRun {
  readonly code: number | null;
  readonly lines: string[];
}

function runInfra(
  root: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  onLine: (line: string) => void = () => undefined,
): Promise<InfraRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(infra(root), [...args], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const lines: string[] = [];
    const collect = (stream: NodeJS.ReadableStream): Promise<void> =>
      new Promise((done) => {
        const rl = createInterface({ input: stream });
        rl.on('line', (line) => {
          lines.push(line);
          onLine(line);
        });
        rl.on('close', done);
      });
    const both = Promise.all([collect(child.stdout), collect(child.stderr)]);
    child.once('error', reject);
    child.once('close', (code) => {
      void both.then(() => resolve({ code, lines }));
    });
  });
}

/**
 * `infra start`: installs what is missing (the first run downloads and builds into the cache), starts
 * the servers that are not running, waits until all are ready. Reports which ones it started, so that
 * stopping the job stops exactly those.
 */
export async function startLocalServers(
  root: string,
  env: NodeJS.ProcessEnv,
  onLine?: (line: string) => void,
): Promise<LocalServers> {
  const run = await runInfra(root, ['start'], env, onLine);
  if (run.code !== 0) {
    const last = run.lines.filter((l) => l.trim() !== '').slice(-3);
    throw new InfraError(
      `the local servers did not start (deploy/local/infra start exited ${run.code}): ${last.join(' | ')}`,
      run.code,
    );
  }
  const started: string[] = [];
  const reused: string[] = [];
  for (const line of run.lines) {
    const m = /^([a-z0-9]+): (started|already running)/.exec(line);
    if (m?.[1] === undefined) continue;
    (m[2] === 'started' ? started : reused).push(m[1]);
  }
  return { started, reused };
}

/** `infra stop <servers>`: stops the named servers (only processes the script started). */
export async function stopLocalServers(
  root: string,
  servers: readonly string[],
  env: NodeJS.ProcessEnv,
): Promise<void> {
  if (servers.length === 0) return;
  const run = await runInfra(root, ['stop', ...servers], env);
  if (run.code !== 0) {
    throw new InfraError(`deploy/local/infra stop ${servers.join(' ')} exited ${run.code}`, run.code);
  }
}

/**
 * The client settings `infra env` prints (`export NAME=value` lines: brokers, Mongo URI, S3 endpoint and
 * keys, Prometheus URL, the admin secret), as a map. Variables already set in `env` win, as they do for
 * the script itself.
 */
export async function localServerEnv(root: string, env: NodeJS.ProcessEnv): Promise<Record<string, string>> {
  const run = await runInfra(root, ['env'], env);
  if (run.code !== 0) throw new InfraError(`deploy/local/infra env exited ${run.code}`, run.code);
  return parseExports(run.lines);
}

/** `export NAME=value` lines (values as the script prints them: no spaces, optionally quoted). */
export function parseExports(lines: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of lines) {
    const m = /^export ([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (m?.[1] === undefined || m[2] === undefined) continue;
    out[m[1]] = m[2].replace(/^'(.*)'$/, '$1').replace(/^"(.*)"$/, '$1');
  }
  return out;
}
