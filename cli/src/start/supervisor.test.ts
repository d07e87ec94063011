import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { backoffDelay, Supervisor, type ProcessSpec, type SupervisorEvent } from './supervisor';

const dir = mkdtempSync(join(tmpdir(), 'netsentry-supervisor-'));
const FAST = { initialBackoffMs: 50, maxBackoffMs: 400, stableAfterMs: 60_000, maxConsecutiveCrashes: 3 };

function node(name: string, script: string): ProcessSpec {
  return {
    name,
    command: process.execPath,
    args: ['-e', script],
    env: { PATH: process.env.PATH },
    logFile: join(dir, `${name}.log`),
  };
}

const until = async (check: () => boolean, timeoutMs = 10_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
};

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('Supervisor', () => {
  let supervisor: Supervisor | undefined;
  afterEach(async () => {
    await supervisor?.stopAll(1_000);
  });

  it('doubles the backoff per consecutive crash, up to the cap', () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, FAST))).toEqual([50, 100, 200, 400, 400, 400]);
  });

  it('restarts a crashing program with backoff, counts the crashes, and gives up after too many', async () => {
    const events: SupervisorEvent[] = [];
    supervisor = new Supervisor((e) => events.push(e), FAST);
    supervisor.start(node('crasher', 'console.log("up"); process.exit(3)'));
    await until(() => events.some((e) => e.kind === 'gave-up'));
    const crashes = events.filter((e) => e.kind === 'crashed');
    expect(crashes).toHaveLength(4);
    expect(crashes.map((e) => (e.kind === 'crashed' ? e.restartInMs : -1))).toEqual([50, 100, 200, null]);
    expect(crashes.every((e) => e.kind === 'crashed' && e.code === 3)).toBe(true);
    expect(events.filter((e) => e.kind === 'started')).toHaveLength(4);
    expect(supervisor.state('crasher')).toMatchObject({ state: 'failed', crashes: 4, restarts: 3 });
    // every run appended to the one log file
    expect(readFileSync(join(dir, 'crasher.log'), 'utf8').match(/^up$/gm)).toHaveLength(4);
  });

  it('does not restart a program that exits 78 (bad configuration): the same settings fail the same way', async () => {
    const events: SupervisorEvent[] = [];
    supervisor = new Supervisor((e) => events.push(e), FAST);
    supervisor.start(node('misconfigured', 'process.exit(78)'));
    await until(() => events.some((e) => e.kind === 'gave-up'));
    expect(events.filter((e) => e.kind === 'started')).toHaveLength(1);
    expect(events.find((e) => e.kind === 'crashed')).toMatchObject({ code: 78, restartInMs: null });
    expect(supervisor.state('misconfigured')).toMatchObject({ state: 'failed', crashes: 1, restarts: 0 });
  });

  it('restarts a program killed with SIGKILL, with a new pid', async () => {
    const events: SupervisorEvent[] = [];
    supervisor = new Supervisor((e) => events.push(e), FAST);
    supervisor.start(node('worker', 'setInterval(() => {}, 1000)'));
    await until(() => (supervisor?.state('worker')?.pid ?? null) !== null);
    const first = supervisor.state('worker')?.pid as number;
    process.kill(first, 'SIGKILL');
    await until(
      () =>
        (supervisor?.state('worker')?.restarts ?? 0) === 1 &&
        supervisor?.state('worker')?.state === 'running',
    );
    const crash = events.find((e) => e.kind === 'crashed');
    expect(crash).toMatchObject({ name: 'worker', signal: 'SIGKILL', crashes: 1 });
    expect(supervisor.state('worker')?.pid).not.toBe(first);
  });

  it('stops what it started with SIGTERM, and SIGKILLs what ignores it after the grace period', async () => {
    const events: SupervisorEvent[] = [];
    supervisor = new Supervisor((e) => events.push(e), FAST);
    supervisor.start(
      node(
        'polite',
        'process.on("SIGTERM", () => { console.log("bye"); process.exit(0); }); setInterval(() => {}, 1000)',
      ),
    );
    supervisor.start(
      node('stubborn', 'process.on("SIGTERM", () => console.log("no")); setInterval(() => {}, 1000)'),
    );
    await until(() => supervisor?.states().every((s) => s.pid !== null) === true);
    await new Promise((r) => setTimeout(r, 300)); // let both install their handlers
    const pids = supervisor.states().map((s) => s.pid as number);
    await supervisor.stopAll(800);
    expect(pids.some(alive)).toBe(false);
    const stopped = events.filter((e) => e.kind === 'stopped');
    expect(stopped).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'polite', code: 0, forced: false }),
        expect.objectContaining({ name: 'stubborn', signal: 'SIGKILL', forced: true }),
      ]),
    );
    expect(events.some((e) => e.kind === 'crashed')).toBe(false);
    expect(readFileSync(join(dir, 'polite.log'), 'utf8')).toContain('bye');
  });
});
