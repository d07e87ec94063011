import { createMongoClient, Registry } from '@netsentry/registry';
import { isolatedStageEnv } from '@netsentry/testkit';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { status } from '../src/status';

// `netsentry status` against the real MongoDB-wire server: a registry with two phishing models, one pushed
// then rolled back to, a quarantined run, and an NSL-KDD model in production beside them; one service
// answering /readyz and one that is not there.

const env: Record<string, string> = { ...isolatedStageEnv('status') };
let server: Server;

beforeAll(async () => {
  server = createServer((req, res) => {
    res.statusCode = req.url === '/readyz' ? 200 : 404;
    res.end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  env.NETSENTRY_SERVICE_URLS = `pusher=http://127.0.0.1:${port},trainer=http://127.0.0.1:1`;

  const client = createMongoClient({
    uri: env.NETSENTRY_MONGO_URI!,
    database: env.NETSENTRY_MONGO_DATABASE!,
  });
  await client.connect();
  try {
    const registry = await Registry.connect(client, env.NETSENTRY_MONGO_DATABASE!);
    const bundle = (sha: string) => ({
      uri: `s3://b/runs/x/model/bundle/${sha}.json`,
      sha256: sha,
      sizeBytes: 10,
      rowCount: null,
      mediaType: 'application/json',
    });
    for (const [version, sha, runId] of [
      ['m-1', 'a'.repeat(64), 'run-a'],
      ['m-2', 'b'.repeat(64), 'run-b'],
    ] as const) {
      await registry.runs.openRun({
        runId,
        correlationId: runId,
        trigger: { commandId: null, reason: 'test' },
        dataset: 'phishing',
      });
      await registry.models.register({
        version,
        runId,
        bundle: bundle(sha),
        candidate: 'xgboost',
        params: {},
        cvMetrics: { f1: 0.96 },
      });
      await registry.models.transition(version, ['trained'], 'accepted', {
        reasons: ['ok'],
        testMetrics: { f1: 0.97 },
      });
    }
    const move = (
      version: string,
      revision: number,
      action: 'PUSH' | 'ROLLBACK',
      actor: string,
      reason: string,
    ) =>
      registry.aliases.move('production-phishing', version, {
        expectedRevision: revision,
        reason,
        actor,
        action,
        eventId: `e-${revision}`,
      });
    await move('m-1', 0, 'PUSH', 'pusher', 'FLOORS_ONLY');
    await move('m-2', 1, 'PUSH', 'pusher', 'BEATS_PRODUCTION');
    await move('m-1', 2, 'ROLLBACK', 'alice', 'm-2 flags benign sites');
    await registry.runs.finishRun('run-b', 'quarantined', { reason: 'rolled back by alice' });
    await registry.aliases.move('production-nsl-kdd', 'm-9', {
      expectedRevision: 0,
      reason: 'FLOORS_ONLY',
      actor: 'pusher',
      action: 'PUSH',
      eventId: 'e-nsl-1',
    });
  } finally {
    await client.close();
  }
}, 60_000);

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

async function run(json: boolean): Promise<string> {
  const out: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out.push(String(chunk));
    return true;
  });
  try {
    expect(await status({ json, limit: 10 }, env)).toBe(0);
  } finally {
    spy.mockRestore();
  }
  return out.join('');
}

describe('netsentry status', () => {
  it('shows production per dataset after a rollback, the alias history, models, runs and which services answer', async () => {
    const text = await run(false);
    expect(text).toMatch(
      /^production phishing: m-1 since .* \(ROLLBACK by alice: m-2 flags benign sites\)$/m,
    );
    expect(text).toMatch(/^production nsl-kdd: m-9 since .* \(PUSH by pusher: FLOORS_ONLY\)$/m);
    expect(text).toContain('production history of phishing (newest first):');
    expect(text).toContain('production history of nsl-kdd (newest first):');
    expect(text).toMatch(/^ {2}3 +\S+ \S+ +ROLLBACK +m-1 +m-2 +alice +m-2 flags benign sites$/m);
    expect(text).toMatch(/^ {2}2 +\S+ \S+ +PUSH +m-2 +m-1 +pusher +BEATS_PRODUCTION$/m);
    expect(text).toMatch(/^ {2}m-2 +accepted +xgboost +0\.9700 +0\.9600 +run-b +ok$/m);
    expect(text).toMatch(/^ {2}run-b +quarantined +phishing .* rolled back by alice$/m);
    expect(text).toMatch(/^ {2}pusher +ready +http:\/\/127\.0\.0\.1:\d+ +ready$/m);
    expect(text).toMatch(/^ {2}trainer +down +http:\/\/127\.0\.0\.1:1 +\S+$/m);
  });

  it('prints the same report as JSON', async () => {
    const report = JSON.parse(await run(true)) as {
      productions: { dataset: string; production: { version: string }; history: unknown[] }[];
      models: { version: string }[];
      services: { name: string; state: string }[];
    };
    expect(report.productions.map((p) => [p.dataset, p.production.version, p.history.length])).toEqual([
      ['nsl-kdd', 'm-9', 1],
      ['phishing', 'm-1', 3],
    ]);
    expect(report.models.map((m) => m.version).sort()).toEqual(['m-1', 'm-2']);
    expect(report.services).toEqual([
      expect.objectContaining({ name: 'pusher', state: 'ready' }),
      expect.objectContaining({ name: 'trainer', state: 'down' }),
    ]);
  });

  it('names the variable when MongoDB is not configured', async () => {
    await expect(status({ json: false, limit: 5 }, {})).rejects.toThrow(/NETSENTRY_MONGO_URI/);
  });
});
