import { freePort, isolatedStageEnv } from '@netsentry/testkit';
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
    private currentPort: number,
    readonly env: Record<string, string> = isolatedStageEnv(`deploy-${name}`),
  ) {}

  /** The port it listens on (a new one when the first was taken before it could bind). */
  get port(): number {
    return this.currentPort;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /**
   * Starts it and waits until `probe` answers 200 (`/healthz` for a service that is not ready on purpose)
   * from this very process: its /metrics carry `service="<name>"`. A free port found beforehand can be
   * taken by another process's listen(0) before the service binds it; then the service exits
   * (EADDRINUSE) while the other one answers, and it is started again on a new port.
   */
  async start(timeoutMs = 30_000, probe: '/readyz' | '/healthz' = '/readyz'): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const started = await this.startOnce(timeoutMs, probe);
      if (started === 'ok') return;
      if (attempt >= 3)
        throw new Error(`${this.name}: port taken ${attempt} times: ${this.output.slice(-2000)}`);
      this.currentPort = await freePort();
    }
  }

  private async startOnce(timeoutMs: number, probe: '/readyz' | '/healthz'): Promise<'ok' | 'port-taken'> {
    this.output = '';
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
    const exited = (): boolean => child.exitCode !== null || child.signalCode !== null;
    const ours = async (): Promise<boolean> => {
      const text = await (await fetch(`${this.url}/metrics`, { signal: AbortSignal.timeout(2_000) })).text();
      return text.includes(`service="${this.name}"`);
    };
    const outcome = await waitFor(
      `${this.name} ${probe}`,
      async () => {
        if (exited()) {
          if (/EADDRINUSE/.test(this.output)) return 'port-taken' as const;
          throw new Error(`${this.name} exited ${child.exitCode}: ${this.output.slice(-2000)}`);
        }
        const res = await fetch(`${this.url}${probe}`, { signal: AbortSignal.timeout(1_000) });
        if (!res.ok) return undefined;
        // Another process answered on the port: wait for ours to exit (EADDRINUSE) or to be the one.
        return (await ours()) && !exited() ? ('ok' as const) : undefined;
      },
      timeoutMs,
    );
    return outcome;
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
