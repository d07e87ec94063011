import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync, closeSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/** A child that exits with this cannot start on its configuration: not restarted. */
export const EXIT_CONFIG = 78;

/** One supervised program: what to run, with which environment, and where its output goes. */
export interface ProcessSpec {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd?: string;
  /** stdout and stderr are appended here (one file per service, in one folder). */
  readonly logFile: string;
}

export interface RestartPolicy {
  /** First delay after a crash; doubled per consecutive crash. */
  readonly initialBackoffMs: number;
  readonly maxBackoffMs: number;
  /** A process that stayed up this long resets the backoff: its next crash is a first one again. */
  readonly stableAfterMs: number;
  /** Consecutive crashes (each within stableAfterMs of its start) before the supervisor gives up. */
  readonly maxConsecutiveCrashes: number;
}

export const DEFAULT_RESTART_POLICY: RestartPolicy = {
  initialBackoffMs: 1_000,
  maxBackoffMs: 30_000,
  stableAfterMs: 60_000,
  maxConsecutiveCrashes: 8,
};

/** What the supervisor reports: the caller logs it (JSON on the log, a line for a person). */
export type SupervisorEvent =
  | { readonly kind: 'started'; readonly name: string; readonly pid: number; readonly attempt: number }
  | {
      readonly kind: 'crashed';
      readonly name: string;
      readonly pid: number;
      readonly code: number | null;
      readonly signal: NodeJS.Signals | null;
      readonly uptimeMs: number;
      readonly crashes: number;
      readonly restartInMs: number | null;
    }
  | { readonly kind: 'gave-up'; readonly name: string; readonly crashes: number }
  | {
      readonly kind: 'stopped';
      readonly name: string;
      readonly pid: number;
      readonly code: number | null;
      readonly signal: NodeJS.Signals | null;
      readonly forced: boolean;
    };

export interface SupervisedState {
  readonly name: string;
  readonly pid: number | null;
  readonly logFile: string;
  /** Crashes since the supervisor started it (an exit it did not ask for). */
  readonly crashes: number;
  readonly restarts: number;
  readonly state: 'running' | 'backoff' | 'stopped' | 'failed';
  readonly startedAt: Date | null;
}

/** The delay before restart number `consecutive` (1-based): initial · 2^(n−1), capped. */
export function backoffDelay(consecutive: number, policy: RestartPolicy): number {
  return Math.min(policy.maxBackoffMs, policy.initialBackoffMs * 2 ** Math.max(0, consecutive - 1));
}

class Supervised {
  child: ChildProcess | null = null;
  startedAt: Date | null = null;
  crashes = 0;
  restarts = 0;
  consecutive = 0;
  state: SupervisedState['state'] = 'stopped';
  timer: NodeJS.Timeout | null = null;
  stopping = false;
  exited: Promise<void> = Promise.resolve();

  constructor(readonly spec: ProcessSpec) {}
}

/**
 * Runs programs as child processes and keeps them running: a process that exits without being asked to
 * is restarted after a backoff (1 s, 2 s, 4 s … capped; reset once it has stayed up), each crash reported
 * and counted; after too many crashes in a row it is left stopped and reported `gave-up`. `stopAll()`
 * sends SIGTERM to every process it started (and nothing else), waits for each to finish its work, and
 * sends SIGKILL to those still running after the grace period.
 */
export class Supervisor {
  private readonly processes = new Map<string, Supervised>();
  private closing = false;

  constructor(
    private readonly onEvent: (event: SupervisorEvent) => void,
    private readonly policy: RestartPolicy = DEFAULT_RESTART_POLICY,
  ) {}

  /** Starts `spec` under supervision; its log file is opened for append (folders created). */
  start(spec: ProcessSpec): void {
    if (this.closing) throw new Error('the supervisor is stopping');
    if (this.processes.has(spec.name)) throw new Error(`'${spec.name}' is already supervised`);
    const entry = new Supervised(spec);
    this.processes.set(spec.name, entry);
    this.launch(entry);
  }

  states(): SupervisedState[] {
    return [...this.processes.values()].map((p) => ({
      name: p.spec.name,
      pid: p.child?.pid ?? null,
      logFile: p.spec.logFile,
      crashes: p.crashes,
      restarts: p.restarts,
      state: p.state,
      startedAt: p.startedAt,
    }));
  }

  state(name: string): SupervisedState | undefined {
    return this.states().find((s) => s.name === name);
  }

  /** Stops every supervised process: SIGTERM, then SIGKILL after `graceMs`. Resolves when all have exited. */
  async stopAll(graceMs = 20_000): Promise<void> {
    this.closing = true;
    await Promise.all([...this.processes.values()].map((p) => this.stopOne(p, graceMs)));
  }

  private async stopOne(p: Supervised, graceMs: number): Promise<void> {
    p.stopping = true;
    if (p.timer) {
      clearTimeout(p.timer);
      p.timer = null;
      p.state = 'stopped';
    }
    const child = p.child;
    if (child === null || child.exitCode !== null || child.signalCode !== null) return;
    const pid = child.pid ?? -1;
    let forced = false;
    const kill = setTimeout(() => {
      forced = true;
      child.kill('SIGKILL');
    }, graceMs);
    const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    );
    child.kill('SIGTERM');
    const { code, signal } = await exit;
    clearTimeout(kill);
    await p.exited;
    this.onEvent({ kind: 'stopped', name: p.spec.name, pid, code, signal, forced });
  }

  private launch(p: Supervised): void {
    const { spec } = p;
    mkdirSync(dirname(spec.logFile), { recursive: true });
    const fd = openSync(spec.logFile, 'a');
    let child: ChildProcess;
    try {
      child = spawn(spec.command, [...spec.args], {
        cwd: spec.cwd,
        env: definedOnly(spec.env),
        stdio: ['ignore', fd, fd],
        // its own process group: a Ctrl-C in the terminal reaches the supervisor alone, which stops its
        // children in order (SIGTERM, then SIGKILL) instead of racing them
        detached: true,
      });
    } finally {
      closeSync(fd); // the child holds its own descriptor
    }
    p.child = child;
    p.startedAt = new Date();
    p.state = 'running';
    const attempt = p.restarts + 1;
    let resolveExited: () => void = () => undefined;
    p.exited = new Promise<void>((resolve) => (resolveExited = resolve));
    child.once('error', (err) => {
      // spawn failed (no such executable): reported as a crash with no pid
      appendLine(spec.logFile, `supervisor: could not start ${spec.command}: ${err.message}`);
    });
    if (child.pid !== undefined) this.onEvent({ kind: 'started', name: spec.name, pid: child.pid, attempt });
    child.once('close', (code, signal) => {
      resolveExited();
      if (p.child !== child) return;
      const uptimeMs = Date.now() - (p.startedAt?.getTime() ?? Date.now());
      if (p.stopping || this.closing) {
        p.state = 'stopped';
        return;
      }
      p.crashes++;
      p.consecutive = uptimeMs >= this.policy.stableAfterMs ? 1 : p.consecutive + 1;
      // Exit 78 (EX_CONFIG, the stages' startStage): its configuration is bad, and a restart reads the same.
      const giveUp = code === EXIT_CONFIG || p.consecutive > this.policy.maxConsecutiveCrashes;
      const delay = giveUp ? null : backoffDelay(p.consecutive, this.policy);
      this.onEvent({
        kind: 'crashed',
        name: spec.name,
        pid: child.pid ?? -1,
        code,
        signal,
        uptimeMs,
        crashes: p.crashes,
        restartInMs: delay,
      });
      if (delay === null) {
        p.state = 'failed';
        this.onEvent({ kind: 'gave-up', name: spec.name, crashes: p.crashes });
        return;
      }
      p.state = 'backoff';
      p.timer = setTimeout(() => {
        p.timer = null;
        if (p.stopping || this.closing) return;
        p.restarts++;
        this.launch(p);
      }, delay);
    });
  }
}

function definedOnly(env: Readonly<Record<string, string | undefined>>): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v;
  return out;
}

function appendLine(file: string, line: string): void {
  const fd = openSync(file, 'a');
  try {
    writeSync(fd, `${line}\n`);
  } finally {
    closeSync(fd);
  }
}
