import { isolatedStageEnv } from '@netsentry/testkit';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from './tools';

export { freePort } from '@netsentry/testkit';

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
  everyMs = 250,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(
    `timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${last instanceof Error ? last.message : JSON.stringify(last)})` : ''}`,
  );
}

/** A real service process (its compiled main.js) against the local servers, on a fixed HTTP port. */
export class ServiceProcess {
  private child: ChildProcess | undefined;
  output = '';

  constructor(
    readonly name: string,
    readonly port: number,
    readonly env: Record<string, string> = isolatedStageEnv(`deploy-${name}`),
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Starts it and waits until `probe` answers 200 (`/healthz` for a service that is not ready on purpose). */
  async start(timeoutMs = 30_000, probe: '/readyz' | '/healthz' = '/readyz'): Promise<void> {
    const child = spawn(process.execPath, [join(repoRoot, 'services', this.name, 'dist/main.js')], {
      env: {
        ...process.env,
        ...this.env,
        NETSENTRY_HTTP_PORT: String(this.port),
        NETSENTRY_HTTP_HOST: '127.0.0.1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (d: Buffer) => (this.output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (this.output += d.toString()));
    this.child = child;
    await waitFor(
      `${this.name} ${probe}`,
      async () => {
        if (child.exitCode !== null)
          throw new Error(`${this.name} exited ${child.exitCode}: ${this.output.slice(-2000)}`);
        const res = await fetch(`${this.url}${probe}`, { signal: AbortSignal.timeout(1_000) });
        return res.ok ? true : undefined;
      },
      timeoutMs,
    );
  }

  async metrics(): Promise<string> {
    const res = await fetch(`${this.url}/metrics`);
    return res.text();
  }

  /** SIGTERM (graceful drain), then waits for the exit. */
  async stop(): Promise<void> {
    const child = this.child;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 40_000);
    await exited;
    clearTimeout(timer);
  }
}

/** The Prometheus binary of the local run (deploy/local/infra install prometheus; cached). */
export function prometheusBinary(): string {
  const r = spawnSync(join(repoRoot, 'deploy/local/infra'), ['install', 'prometheus'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`deploy/local/infra install prometheus failed: ${r.stderr}`);
  const cache = process.env.NETSENTRY_CACHE_DIR ?? join(process.env.HOME ?? '/root', '.cache/netsentry');
  return join(cache, 'prometheus-debian/bin/prometheus');
}
