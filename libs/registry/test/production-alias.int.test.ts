import { describe, expect, it } from 'vitest';
import {
  AliasConflictError,
  RegistryConflictError,
  RegistryValueError,
  datasetOfProductionAlias,
  productionAliasName,
  type MoveAliasOptions,
} from '../src';
import { useFreshRegistry } from './fresh-db';

// The production alias against the real MongoDB-wire server (FerretDB): no mocks.
const { registry, db } = useFreshRegistry();

let n = 0;
const move = (
  expectedRevision: number,
  action: MoveAliasOptions['action'] = 'PUSH',
  eventId = `evt-${++n}`,
) => ({
  expectedRevision,
  reason: `${action.toLowerCase()} by test`,
  actor: 'pusher-0',
  action,
  eventId,
});

describe('ProductionAlias', () => {
  it('does not exist before the first push', async () => {
    expect(await registry().aliases.get('fresh')).toBeNull();
    expect(await registry().aliases.previous('fresh')).toBeNull();
    expect(await registry().aliases.history('fresh')).toEqual([]);
  });

  it('moves with compare-and-set, keeps the history and rolls back to the previous version', async () => {
    const aliases = registry().aliases;
    const first = await aliases.move('production', 'm-1', move(0));
    expect(first).toMatchObject({ alias: 'production', version: 'm-1', revision: 1, action: 'PUSH' });
    await aliases.move('production', 'm-2', move(1));
    await aliases.move('production', 'm-3', move(2));
    expect(await aliases.get('production')).toMatchObject({
      version: 'm-3',
      revision: 3,
      reason: 'push by test',
    });

    expect((await aliases.previous('production'))?.version).toBe('m-2');
    const rolledBack = await aliases.move('production', 'm-2', move(3, 'ROLLBACK'));
    expect(rolledBack).toMatchObject({ version: 'm-2', revision: 4, action: 'ROLLBACK' });
    // Like `kubectl rollout undo`: the previous version of a rolled-back alias is the one it left.
    expect((await aliases.previous('production'))?.version).toBe('m-3');

    const history = await aliases.history('production', 10);
    expect(history.map((h) => [h.revision, h.version, h.previousVersion, h.action])).toEqual([
      [4, 'm-2', 'm-3', 'ROLLBACK'],
      [3, 'm-3', 'm-2', 'PUSH'],
      [2, 'm-2', 'm-1', 'PUSH'],
      [1, 'm-1', null, 'PUSH'],
    ]);
    expect(await aliases.history('production', 2)).toHaveLength(2);
  });

  it('refuses a move from a stale revision with AliasConflictError', async () => {
    const aliases = registry().aliases;
    await aliases.move('staging', 'm-1', move(0));
    await aliases.move('staging', 'm-2', move(1));
    const err = await aliases.move('staging', 'm-3', move(1)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AliasConflictError);
    expect((err as AliasConflictError).toJSON()).toMatchObject({
      code: 'ALIAS_CONFLICT',
      details: { alias: 'staging', expectedRevision: 1, actualRevision: 2 },
    });
    await expect(aliases.move('staging', 'm-3', move(0))).rejects.toBeInstanceOf(AliasConflictError);
    expect((await aliases.get('staging'))?.version).toBe('m-2');
  });

  it('applies a redelivered move once, returning the current state', async () => {
    const aliases = registry().aliases;
    const options = move(0, 'PUSH', 'evt-redelivered');
    const first = await aliases.move('canary', 'm-1', options);
    const again = await aliases.move('canary', 'm-1', options); // same eventId, now-stale revision: no conflict
    expect(again).toEqual(first);
    await aliases.move('canary', 'm-2', move(1));
    expect((await aliases.move('canary', 'm-1', options)).version).toBe('m-2'); // still a no-op later on
    expect(await aliases.history('canary')).toHaveLength(2);
  });

  it('lets exactly one of several concurrent movers win', async () => {
    const aliases = registry().aliases;
    await aliases.move('race', 'm-0', move(0));
    const results = await Promise.allSettled(
      Array.from({ length: 6 }, (_, i) => aliases.move('race', `m-${i + 1}`, move(1))),
    );
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r) => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost.every((r) => r.reason instanceof AliasConflictError)).toBe(true);
    expect((await aliases.get('race'))?.revision).toBe(2);
    expect(await aliases.history('race')).toHaveLength(2);
  });

  it('rolls the head forward when a move crashed after writing its history', async () => {
    const aliases = registry().aliases;
    await aliases.move('crash', 'm-1', move(0));
    // Simulate a crash between the two writes of a move: the history row exists, the head was not moved.
    await db().collection('aliasHistory').insertOne({
      alias: 'crash',
      version: 'm-2',
      revision: 2,
      previousVersion: 'm-1',
      movedAt: new Date(),
      reason: 'push',
      actor: 'pusher-1',
      action: 'PUSH',
      eventId: 'evt-crashed',
    });
    expect(await aliases.get('crash')).toMatchObject({ version: 'm-2', revision: 2 });
    expect(await db().collection('aliases').findOne({ alias: 'crash' })).toMatchObject({ revision: 2 });
    // The redelivered event finds its move done.
    expect(await aliases.move('crash', 'm-2', move(1, 'PUSH', 'evt-crashed'))).toMatchObject({ revision: 2 });
  });
});

describe('production per dataset', () => {
  it('names one alias per dataset, within the registry name rules, and refuses names no dataset has', () => {
    expect(productionAliasName('phishing')).toBe('production-phishing');
    expect(productionAliasName('nsl-kdd')).toBe('production-nsl-kdd');
    expect(datasetOfProductionAlias('production-nsl-kdd')).toBe('nsl-kdd');
    expect(datasetOfProductionAlias('production')).toBeNull();
    expect(datasetOfProductionAlias('staging')).toBeNull();
    for (const bad of ['', 'Phishing', 'a.b', '-x', 'x'.repeat(118)]) {
      expect(() => productionAliasName(bad)).toThrow(RegistryValueError);
    }
    expect(productionAliasName('x'.repeat(117))).toHaveLength(128);
  });

  it("keeps each dataset's production, history and rollback apart", async () => {
    const aliases = registry().aliases;
    const a = productionAliasName('ds-a');
    const b = productionAliasName('ds-b');
    await aliases.move(a, 'a-1', move(0));
    await aliases.move(b, 'b-1', move(0));
    await aliases.move(a, 'a-2', move(1));
    const rollback = move(2, 'ROLLBACK', 'evt-rollback-a');
    await aliases.move(a, (await aliases.previous(a))!.version, rollback);

    expect((await aliases.get(a))?.version).toBe('a-1');
    expect(await aliases.get(b)).toMatchObject({ version: 'b-1', revision: 1 });
    expect((await aliases.history(b)).map((h) => h.version)).toEqual(['b-1']);
    expect(await aliases.moveByEvent('evt-rollback-a')).toMatchObject({
      alias: a,
      version: 'a-1',
      previousVersion: 'a-2',
      action: 'ROLLBACK',
    });
    expect(await aliases.moveByEvent('evt-never')).toBeNull();
    const listed = (await registry().productions()).filter((p) => p.dataset.startsWith('ds-'));
    expect(listed.map((p) => [p.dataset, p.alias, p.version, p.revision])).toEqual([
      ['ds-a', a, 'a-1', 3],
      ['ds-b', b, 'b-1', 1],
    ]);
  });

  it("gives the inference service a dataset's production version and its immutable production copy", async () => {
    const r = registry();
    expect(await r.productionBundle('ds-none')).toBeNull();
    const ref = (key: string, sha: string) => ({
      uri: `s3://bucket/${key}`,
      sha256: sha.repeat(64),
      sizeBytes: 100,
      rowCount: null,
      mediaType: 'application/json',
    });
    const producedBy = { stage: 'test', eventId: 'evt-copy' };
    for (const [version, runId, sha] of [
      ['m-pb-1', 'run-pb-1', 'c'],
      ['m-pb-2', 'run-pb-2', 'd'],
    ] as const) {
      const bundle = ref(`runs/${runId}/model/bundle.json`, sha);
      await r.models.register({
        version,
        runId,
        dataset: 'ds-bundle',
        bundle,
        candidate: 'xgboost',
        params: {},
        cvMetrics: {},
      });
      await r.artifacts.record({ ref: bundle, kind: 'model/bundle', runId, parents: [], producedBy });
      await r.artifacts.record({
        ref: ref(`production/${version}/bundle.json`, sha),
        kind: 'model/production-bundle',
        runId,
        parents: [bundle.uri],
        producedBy,
      });
    }
    const alias = productionAliasName('ds-bundle');
    await r.aliases.move(alias, 'm-pb-1', move(0));
    await r.aliases.move(alias, 'm-pb-2', move(1));
    expect(await r.productionBundle('ds-bundle')).toEqual({
      version: 'm-pb-2',
      bundle: ref('production/m-pb-2/bundle.json', 'd'),
      revision: 2,
    });
    expect((await r.models.get('m-pb-2'))?.dataset).toBe('ds-bundle');
    expect((await r.models.list({ dataset: 'ds-bundle' })).map((m) => m.version).sort()).toEqual([
      'm-pb-1',
      'm-pb-2',
    ]);

    // An alias at a version whose production copy was never recorded is damage, not "no production".
    await r.models.register({
      version: 'm-pb-3',
      runId: 'run-pb-3',
      dataset: 'ds-bundle',
      bundle: ref('runs/run-pb-3/model/bundle.json', 'e'),
      candidate: 'xgboost',
      params: {},
      cvMetrics: {},
    });
    await r.aliases.move(alias, 'm-pb-3', move(2));
    await expect(r.productionBundle('ds-bundle')).rejects.toBeInstanceOf(RegistryConflictError);
  });
});
