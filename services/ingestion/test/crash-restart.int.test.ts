import type { Stores } from '@netsentry/runtime';
import { StageHarness, type StageProcess } from '@netsentry/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Ingestion as users run it, a process (`services/ingestion/dist/main.js`), killed with SIGKILL while it
// handles a RETRAIN and started again: the redelivered command continues the same run, and exactly one
// data.ingested comes out of it (read committed), from the second claim of the event.

const harness = new StageHarness('ingestion-crash', { env: { NETSENTRY_LOG_LEVEL: 'info' } });
let stores: Stores;

beforeAll(async () => {
  stores = await harness.open();
  // NSL-KDD's 22,544 rows: a snapshot long enough to be caught in the middle.
  await harness.loadBundled('nsl-kdd');
}, 120_000);

afterAll(() => harness.close());

/** Polls the idempotency ledger until ingestion has claimed `eventId`; its status then. */
async function claimed(eventId: string, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const execution = await stores.registry.executions.get('ingestion', eventId);
    if (execution !== null) return execution.status;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`ingestion did not claim ${eventId} within ${timeoutMs} ms`);
}

describe('ingestion process', () => {
  it('killed with SIGKILL mid-RETRAIN and restarted: the run continues, one data.ingested', async () => {
    const first: StageProcess = await harness.startProcess('ingestion');
    expect(first.logs).toContainEqual(
      expect.objectContaining({ service: 'ingestion', msg: 'stage started' }),
    );

    const runId = await harness.retrain('nsl-kdd', 'crash test');
    const eventId = runId.replace(/^run-/, '');
    expect(await claimed(eventId, 30_000)).toBe('claimed');
    expect(await first.kill('SIGKILL')).toEqual({ code: null, signal: 'SIGKILL' });
    // Killed in the middle: nothing completed, nothing published.
    expect((await stores.registry.executions.get('ingestion', eventId))?.status).toBe('claimed');
    expect(first.logs.filter((r) => r.msg === 'snapshot ingested')).toEqual([]);

    const second = await harness.startProcess('ingestion', { port: first.port });
    const [ingested] = await harness.untilEvents('data.ingested', (e) => e.envelope.runId === runId, {
      timeoutMs: 60_000,
    });
    expect(ingested!.dataset.datasetName).toBe('nsl-kdd');
    await second.waitForLog((r) => r.msg === 'snapshot ingested' && r.runId === runId);
    // Settled: still exactly one event for the run, from the event's second claim.
    const all = await harness.readEvents('data.ingested', { atLeast: 1, settleMs: 3_000, timeoutMs: 20_000 });
    expect(all.filter((e) => e.envelope.runId === runId)).toHaveLength(1);
    expect(await stores.registry.executions.get('ingestion', eventId)).toMatchObject({
      status: 'completed',
      attempt: 2,
    });
    expect((await stores.registry.runs.get(runId))?.status).not.toBe('failed');

    expect(await second.stop()).toEqual({ code: 0, signal: null, forced: false });
    expect(second.logs).toContainEqual(expect.objectContaining({ msg: 'shutdown complete' }));
  }, 180_000);
});
