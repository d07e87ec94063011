import type { SystemServiceName } from '@netsentry/contracts';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './local-infra';
import { freePort } from './ports';

/** One line of a stage's stdout: its JSON log record, or `{ raw }` for a line that is not JSON. */
export type LogRecord = Readonly<Record<string, unknown>>;

export interface StageExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface StageProcessOptions {
  /** The port of /metrics, /healthz and /readyz; a free one when omitted (pass the old one to restart). */
  readonly port?: number;
  /** How long to wait for /readyz to answer 200 (default 60 s). */
  readonly readyTimeoutMs?: number;
}

/** Variables of the test runner a stage process must not inherit: its own environment decides. */
const OWN_PREFIX = 'NETSENTRY_';

/**
 * A stage as users run it: `node services/<stage>/dist/main.js` (built by `npm run build`) as a child
 * process with its own environment (the test runner's, less every `NETSENTRY_*` variable, plus `env`),
 * started once its /readyz answers 200 on 127.0.0.1, with its JSON log (stdout) captured line by line.
 * `stop()` sends SIGTERM and SIGKILL after a timeout; `kill(signal)` is for crash tests.
 */
export class StageProcess {
  /** Parsed stdout lines, in order. */
  readonly logs: LogRecord[] = [];
  private stderrText = '';
  private readonly exit: Promise<StageExit>;
  private exitInfo: StageExit | null = null;

  private constructor(
    readonly stage: SystemServiceName,
    readonly port: number,
    private readonly child: ChildProcess,
  ) {
    this.exit = new Promise((resolve) => {
      child.once('close', (code, signal) => {
        this.exitInfo = { code, signal };
        resolve(this.exitInfo);
      });
    });
    let pending = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) if (line.trim() !== '') this.logs.push(parseLine(line));
    });
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (this.stderrText += chunk));
  }

  /** Starts `services/<stage>/dist/main.js` on `env` and resolves once it is ready. */
  static async start(
    stage: SystemServiceName,
    env: Readonly<Record<string, string>>,
    options: StageProcessOptions = {},
  ): Promise<StageProcess> {
    const main = join(repoRoot, 'services', stage, 'dist', 'main.js');
    if (!existsSync(main)) throw new Error(`StageProcess: ${main} is missing; run npm run build first`);
    const port = options.port ?? (await freePort());
    const inherited = Object.fromEntries(
      Object.entries(process.env).filter(([k]) => !k.startsWith(OWN_PREFIX)),
    );
    const child = spawn(process.execPath, [main], {
      cwd: repoRoot,
      env: { ...inherited, ...env, NETSENTRY_HTTP_PORT: String(port), NETSENTRY_HTTP_HOST: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const stageProcess = new StageProcess(stage, port, child);
    try {
      await stageProcess.ready(options.readyTimeoutMs ?? 60_000);
    } catch (err) {
      await stageProcess.kill('SIGKILL');
      throw err;
    }
    return stageProcess;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** The exit code and signal once the process has ended; null while it runs. */
  get exited(): StageExit | null {
    return this.exitInfo;
  }

  /** What the process wrote on stderr so far. */
  get stderr(): string {
    return this.stderrText;
  }

  /** `http://127.0.0.1:<port>` */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Resolves with the first log record (so far or to come) that satisfies `where`. */
  async waitForLog(where: (record: LogRecord) => boolean, timeoutMs = 30_000): Promise<LogRecord> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.logs.find(where);
      if (found) return found;
      if (this.exitInfo !== null) throw new Error(`${this.stage} exited (${describe(this.exitInfo)})`);
      if (Date.now() > deadline) throw new Error(`${this.stage}: no such log line within ${timeoutMs} ms`);
      await sleep(50);
    }
  }

  /** Sends `signal` (SIGKILL for a crash) and resolves once the process has ended. */
  async kill(signal: NodeJS.Signals): Promise<StageExit> {
    if (this.exitInfo === null) this.child.kill(signal);
    return this.exit;
  }

  /** SIGTERM, as an orchestrator stops a stage; SIGKILL if it has not ended within `timeoutMs`. */
  async stop(timeoutMs = 20_000): Promise<StageExit & { readonly forced: boolean }> {
    if (this.exitInfo !== null) return { ...this.exitInfo, forced: false };
    this.child.kill('SIGTERM');
    let forced = false;
    const timer = setTimeout(() => {
      forced = true;
      this.child.kill('SIGKILL');
    }, timeoutMs);
    const exit = await this.exit;
    clearTimeout(timer);
    return { ...exit, forced };
  }

  private async ready(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.exitInfo !== null) {
        throw new Error(
          `${this.stage} exited before it was ready (${describe(this.exitInfo)}): ${this.lastWords()}`,
        );
      }
      const status = await fetch(`${this.url}/readyz`, { signal: AbortSignal.timeout(2_000) })
        .then(async (res) => (await res.text(), res.status))
        .catch(() => 0);
      if (status === 200) return;
      await sleep(200);
    }
    throw new Error(`${this.stage} not ready within ${timeoutMs} ms: ${this.lastWords()}`);
  }

  // The end of what it said, for a start-up failure's message (a ConfigError, a stack trace).
  private lastWords(): string {
    const tail = [...this.logs.slice(-3).map((r) => JSON.stringify(r)), this.stderrText.slice(-2_000)];
    return tail.join('\n').trim() || '(no output)';
  }
}

function parseLine(line: string): LogRecord {
  try {
    const parsed: unknown = JSON.parse(line);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return parsed as LogRecord;
  } catch {
    // not JSON: kept as written
  }
  return { raw: line };
}

function describe(exit: StageExit): string {
  return exit.signal !== null ? `signal ${exit.signal}` : `code ${exit.code}`;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
