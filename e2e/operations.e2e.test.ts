import { createMongoClient, Registry, type Run } from '@netsentry/registry';
import { infraAnswers, repoRoot } from '@netsentry/testkit';
import { randomUUID } from 'node:crypto';
import type { MongoClient } from 'mongodb';
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  alive,
  e2eSystem,
  readSummary,
  readSupervised,
  run,
  startArgs,
  summaryWritten,
  waitFor,
  type E2eSystem,
  type StartedCommand,
  type Summary,
} from './support/start';
import { decodeDeadLetter, decodePrediction, Topics } from './support/topics';

/** The bundled phishing file as rows of cells (its header is quoted). */
function phishingRows(): { header: string[]; rows: string[][]; label: number } {
  const lines = readFileSync(join(repoRoot, 'data/phishing.csv'), 'utf8').trimEnd().split('\n');
  const header = lines[0]!.split(',').map((h) => h.replace(/^"|"$/g, ''));
  const label = header.indexOf('Result');
  expect(label).toBeGreaterThan(0);
  return { header, rows: lines.slice(1).map((l) => l.split(',')), label };
}

/**
 * An operator's day on one running system (`netsentry start`, serving): forged and replayed admin
 * commands, a service killed mid-run, rollback and promotion seen in the live predictions, a drifted
 * stream retraining once, a shuffled-label run quarantined, and a clean stop.
 */
describe('operating a running system', () => {
  let system: E2eSystem;
  let starter: StartedCommand;
  let summary: Summary;
  let topics: Topics;
  let client: MongoClient;
  let registry: Registry;
  let v1: string;
  let v2: string;

  const servedVersion = async (): Promise<string | null> => {
    const inference = summary.services.find((s) => s.name === 'inference')!;
    const text = await (await fetch(`${inference.url}/metrics`)).text();
    return /netsentry_inference_model_info\{[^}]*version="([^"]+)"[^}]*\} 1/.exec(text)?.[1] ?? null;
  };
  const runEnded = (runId: string) => async (): Promise<Run | undefined> => {
    const r = await registry.runs.get(runId);
    return r !== null && r.status !== 'running' ? r : undefined;
  };
  const cli = async (...args: string[]) => {
    const result = await run(system, args).exited;
    if (result.code !== 0) console.log(result.stderr);
    return result;
  };

  beforeAll(async () => {
    system = await e2eSystem('ops', {
      // a second model on the same data is accepted (equal F1), so there is something to roll back to
      NETSENTRY_EVALUATOR_MARGIN: '0',
      NETSENTRY_INFERENCE_DRIFT_WINDOW: '1000',
    });
    starter = run(system, startArgs(system, ['--drift-retrain']));
    await waitFor('the summary', () => (summaryWritten(system) ? true : undefined), 480_000, 1_000).catch(
      (err: unknown) => {
        console.log(starter.output().stderr.slice(-4_000));
        throw err;
      },
    );
    summary = readSummary(system);
    v1 = summary.model.version;
    topics = new Topics(system);
    client = createMongoClient({
      uri: system.env.NETSENTRY_MONGO_URI!,
      database: system.env.NETSENTRY_MONGO_DATABASE!,
    });
    await client.connect();
    registry = new Registry(client.db(system.env.NETSENTRY_MONGO_DATABASE));
  }, 600_000);

  afterAll(async () => {
    await topics?.close();
    await client?.close();
    if (starter && starter.child.exitCode === null) starter.child.kill('SIGKILL');
  });

  it('serves the pushed model and predicted the replayed test split exactly once', () => {
    expect(summary.traffic).toMatchObject({ duplicates: 0, deadLettered: 0, missing: 0 });
    expect(summary.traffic.predicted).toBe(summary.traffic.replayed);
    expect(summary.model.testF1!).toBeGreaterThanOrEqual(0.965);
  });

  it('refuses a forged and a replayed admin command to pipeline.dlq, and runs nothing for them; a trainer killed mid-run is restarted and the run completes once', async () => {
    const dlq = await topics.follow('pipeline.dlq', decodeDeadLetter);
    const forged = await topics.send(topics.command('RETRAIN', { secret: 'x'.repeat(40) }));
    const legit = topics.command('RETRAIN', { reason: 'e2e: second model' });
    const legitId = await topics.send(legit);
    const runId = `run-${legitId}`;

    // kill the trainer as soon as it has work: the moment transform hands it the data
    await waitFor(
      'transform to finish',
      async () => ((await registry.runs.get(runId))?.stages.transform ? true : undefined),
      120_000,
      200,
    );
    const trainer = readSupervised(system).processes.find((p) => p.name === 'trainer')!;
    process.kill(trainer.pid!, 'SIGKILL');
    await waitFor(
      'the trainer restarted',
      () => {
        const t = readSupervised(system).processes.find((p) => p.name === 'trainer')!;
        return t.restarts === 1 && t.state === 'running' && t.pid !== trainer.pid ? t : undefined;
      },
      30_000,
    );
    const ended = await waitFor('the run to end', runEnded(runId), 300_000, 1_000);
    expect(ended.status).toBe('succeeded');
    const made = (await registry.models.list({ dataset: 'phishing' })).filter((m) => m.runId === runId);
    expect(made).toHaveLength(1);
    v2 = made[0]!.version;
    expect((await registry.productionBundle('phishing'))?.version).toBe(v2);
    expect(readFileSync(join(system.logDir, 'supervisor.log'), 'utf8')).toMatch(
      /"kind":"crashed","name":"trainer".*"signal":"SIGKILL"/,
    );

    // the captured command republished under a new id is a replay
    const replayed = await topics.send({ ...legit, envelope: { ...legit.envelope, eventId: randomUUID() } });
    const letters = await waitFor(
      'both refusals',
      () => {
        const byKey = new Map(dlq.seen.map((s) => [s.value.originalKey?.toString(), s.value]));
        const a = byKey.get(forged);
        const b = byKey.get(replayed);
        return a && b ? { forged: a, replayed: b } : undefined;
      },
      60_000,
    );
    expect(letters.forged.errorCode).toBe('ADMIN_BAD_SIGNATURE');
    expect(letters.replayed.errorCode).toBe('ADMIN_REPLAYED');
    expect(await registry.runs.get(`run-${forged}`)).toBeNull();
    expect(await registry.runs.get(`run-${replayed}`)).toBeNull();
    await waitFor(
      'inference to serve v2',
      async () => ((await servedVersion()) === v2 ? true : undefined),
      60_000,
    );
  }, 420_000);

  it('shows a rollback and a promotion in the live predictions within seconds', async () => {
    expect(v2).toBeDefined();
    const predictions = await topics.follow('traffic.predictions', decodePrediction);
    const stream = run(system, [
      'replay',
      join(repoRoot, 'data/phishing.csv'),
      '--schema',
      'data/schemas/phishing.yaml',
      '--rate',
      '150',
      '--id-prefix',
      'tap',
      '--format',
      'json',
    ]);
    try {
      await waitFor(
        'live predictions from v2',
        () => (predictions.seen.some((p) => p.value.modelVersion === v2) ? true : undefined),
        60_000,
        200,
      );
      const rolledAt = Date.now();
      expect((await cli('rollback', '--dataset', 'phishing', '--reason', 'e2e')).code).toBe(0);
      const back = await waitFor(
        'predictions from v1 again',
        () => predictions.seen.find((p) => p.at > rolledAt && p.value.modelVersion === v1),
        30_000,
        100,
      );
      const promotedAt = Date.now();
      expect((await cli('promote', v2, '--reason', 'e2e')).code).toBe(0);
      const forward = await waitFor(
        'predictions from v2 again',
        () => predictions.seen.find((p) => p.at > promotedAt && p.value.modelVersion === v2),
        30_000,
        100,
      );
      console.log(
        `e2e: rollback visible in live predictions after ${back.at - rolledAt} ms, promotion after ${forward.at - promotedAt} ms`,
      );
      expect(back.at - rolledAt).toBeLessThan(15_000);
      expect(forward.at - promotedAt).toBeLessThan(15_000);
    } finally {
      stream.child.kill('SIGTERM');
      await stream.exited;
    }
    // every record of the stream predicted once, across both swaps
    const tap = predictions.seen.filter((p) => p.value.recordId.startsWith('tap-'));
    expect(new Set(tap.map((p) => p.value.recordId)).size).toBe(tap.length);
  }, 180_000);

  it('retrains exactly once when the live stream drifts', async () => {
    const { header, rows, label } = phishingRows();
    // every feature stuck at its rarest value: what a broken sensor or a changed population looks like
    const rarest = header.map((_, j) => {
      const counts = new Map<string, number>();
      for (const r of rows) counts.set(r[j]!, (counts.get(r[j]!) ?? 0) + 1);
      return [...counts].sort((a, b) => a[1] - b[1])[0]![0];
    });
    const drifted = [header.join(',')];
    for (let i = 0; drifted.length <= 2_500; i = (i + 1) % rows.length) {
      drifted.push(rows[i]!.map((v, j) => (j === label ? v : rarest[j]!)).join(','));
    }
    const file = join(tmpdir(), `netsentry-drift-${Date.now()}.csv`);
    writeFileSync(file, `${drifted.join('\n')}\n`);
    const before = new Set(
      (await registry.runs.list({ dataset: 'phishing', limit: 100 })).map((r) => r.runId),
    );
    expect(
      (await cli('replay', file, '--schema', 'data/schemas/phishing.yaml', '--id-prefix', 'drift')).code,
    ).toBe(0);
    const driftRun = await waitFor(
      'a drift retrain',
      async () => {
        const runs = (await registry.runs.list({ dataset: 'phishing', limit: 100 })).filter(
          (r) => !before.has(r.runId),
        );
        return runs.length > 0 ? runs : undefined;
      },
      120_000,
      1_000,
    );
    expect(driftRun).toHaveLength(1);
    expect(driftRun[0]!.trigger.reason).toMatch(/live drift/);
    await waitFor('the drift run to end', runEnded(driftRun[0]!.runId), 300_000, 1_000);
    // still one: the cooldown holds however long the drift lasts
    expect(
      (await cli('replay', file, '--schema', 'data/schemas/phishing.yaml', '--id-prefix', 'drift2')).code,
    ).toBe(0);
    await new Promise((r) => setTimeout(r, 5_000));
    const after = (await registry.runs.list({ dataset: 'phishing', limit: 100 })).filter(
      (r) => !before.has(r.runId),
    );
    expect(after).toHaveLength(1);
  }, 480_000);

  it('quarantines a run on shuffled labels; production and the served model stay as they were', async () => {
    const production = (await registry.productionBundle('phishing'))!.version;
    const { header, rows, label } = phishingRows();
    const labels = rows.map((r) => r[label]!);
    let seed = 7;
    for (let i = labels.length - 1; i > 0; i--) {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      const j = seed % (i + 1);
      [labels[i], labels[j]] = [labels[j]!, labels[i]!];
    }
    const shuffled = rows.map((r, i) => r.map((v, j) => (j === label ? labels[i]! : v)).join(','));
    const file = join(tmpdir(), `netsentry-shuffled-${Date.now()}.csv`);
    writeFileSync(file, `${[header.join(','), ...shuffled].join('\n')}\n`);
    expect((await cli('data', 'load', file, '--schema', 'data/schemas/phishing.yaml')).code).toBe(0);
    const sent = await cli('retrain', '--dataset', 'phishing', '--reason', 'e2e: shuffled labels');
    const runId = /run (run-[0-9a-f-]+)/.exec(sent.stdout)![1]!;
    const ended = await waitFor('the shuffled run to end', runEnded(runId), 300_000, 1_000);
    expect(ended.status).toBe('quarantined');
    expect(ended.reason).toBeTruthy();
    expect((await registry.productionBundle('phishing'))?.version).toBe(production);
    expect(await servedVersion()).toBe(production);
  }, 360_000);

  it('stops everything it started on SIGTERM, and nothing else', async () => {
    const pids = readSupervised(system).processes.map((p) => p.pid!);
    expect(pids.every(alive)).toBe(true);
    starter.child.kill('SIGTERM');
    const exit = await starter.exited;
    expect(exit.code).toBe(0);
    expect(pids.some(alive)).toBe(false);
    // the servers it reused keep running
    expect(await infraAnswers()).toBe(true);
  }, 60_000);
});
