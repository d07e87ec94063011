import { freePort, isolatedStageEnv, repoRoot } from '@netsentry/testkit';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { status } from '../src/status';

// `netsentry status` reads the real inference service's /metrics: the compiled service is started against
// the local servers (own topic prefix and database, no production model yet), so what status shows is what
// inference exposes — nothing served, no records consumed — and its readiness says why.

const env: Record<string, string> = {
  ...isolatedStageEnv('statusinf'),
  NETSENTRY_INFERENCE_DATASET: 'phishing',
};
let child: ChildProcess;
let output = '';
let url = '';

beforeAll(async () => {
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  child = spawn(process.execPath, [join(repoRoot, 'services/inference/dist/main.js')], {
    env: { ...process.env, ...env, NETSENTRY_HTTP_PORT: String(port), NETSENTRY_HTTP_HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`inference exited ${child.exitCode}: ${output.slice(-2_000)}`);
    const ok = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1_000) }).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline) throw new Error(`inference /healthz did not answer: ${output.slice(-2_000)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  env.NETSENTRY_SERVICE_URLS = `inference=${url},pusher=http://127.0.0.1:1`;
}, 120_000);

afterAll(async () => {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
}, 60_000);

async function run(json: boolean): Promise<string> {
  let out = '';
  const spy = vi
    .spyOn(process.stdout, 'write')
    .mockImplementation((c: string | Uint8Array) => ((out += String(c)), true));
  try {
    expect(await status({ json, limit: 5 }, env)).toBe(0);
  } finally {
    spy.mockRestore();
  }
  return out;
}

describe('netsentry status: inference', () => {
  it('shows what the live inference service serves (nothing yet), its records/s over 1 s and lag', async () => {
    const text = await run(false);
    expect(text).toMatch(/^ {2}inference +(ready|not-ready) +http:\/\/127\.0\.0\.1:\d+ /m);
    expect(text).toContain(
      '\ninference:\n  serving:   no model (no production model yet?)\n  records/s: 0.0 (over 1 s; 0 since start)\n',
    );
    expect(text).toMatch(/^ {2}lag: +(- \(no batch consumed yet\)|\d+ records behind on traffic\.records)$/m);
    // A service that does not answer gets no /metrics section.
    expect(text).toMatch(/^ {2}pusher +down /m);
    expect(text.match(/^pusher:$/m)).toBeNull();
  });

  it('--json carries the same figures under services[].inference', async () => {
    const report = JSON.parse(await run(true)) as {
      services: { name: string; inference?: Record<string, unknown> }[];
    };
    expect(report.services.find((s) => s.name === 'inference')?.inference).toMatchObject({
      servedVersion: null,
      recordsTotal: 0,
      recordsPerSecond: 0,
    });
    expect(report.services.find((s) => s.name === 'pusher')).not.toHaveProperty('inference');
  });
});
