import { describe, expect, it } from 'vitest';
import {
  canonicalAdminCommand,
  DEFAULT_ADMIN_REPLAY_WINDOW_MS,
  signAdminCommand,
  verifyAdminCommand,
} from './admin-signature';
import { ContractRegistry } from './registry';
import { sampleEvent } from './samples';

const SECRET = 'a-test-secret-of-at-least-thirty-two-characters';
const NOW = Date.UTC(2026, 11, 1, 9, 30);
const registry = ContractRegistry.bundled();
const unsigned = () => ({ ...sampleEvent('admin.commands'), nonce: null, signature: null });

describe('signAdminCommand / verifyAdminCommand', () => {
  it('signs with a fresh nonce and the signing time, and the signature survives the wire', () => {
    const signed = signAdminCommand(unsigned(), SECRET, NOW);
    expect(signed.envelope.occurredAt).toBe(NOW);
    expect(signed.nonce).toMatch(/^[0-9a-f-]{36}$/);
    expect(signed.signature).toMatch(/^[0-9a-f]{64}$/);
    expect(signAdminCommand(unsigned(), SECRET, NOW).nonce).not.toBe(signed.nonce);

    const decoded = registry.decode('admin.commands', registry.encode('admin.commands', signed));
    expect(verifyAdminCommand(decoded, SECRET, { now: NOW + 1_000 })).toEqual({
      ok: true,
      nonce: signed.nonce,
      ageMs: 1_000,
    });
  });

  it('refuses an unsigned command, v1 or v2, naming the reason', () => {
    const v1 = registry.decode(
      'admin.commands',
      registry.encode('admin.commands', unsigned(), { version: 1 }),
    );
    expect(v1).toMatchObject({ nonce: null, signature: null });
    const verdict = verifyAdminCommand(v1, SECRET, { now: NOW });
    expect(verdict).toMatchObject({ ok: false, code: 'ADMIN_UNSIGNED' });
    expect(!verdict.ok && verdict.reason).toMatch(
      /^RETRAIN from ops@example\.com refused: the command is not signed \(admin\.commands v1, no signature\)/,
    );
  });

  it('refuses a forged, an altered or a differently keyed command', () => {
    const signed = signAdminCommand(unsigned(), SECRET, NOW);
    const check = (c: typeof signed, secret = SECRET) => verifyAdminCommand(c, secret, { now: NOW });
    expect(check({ ...signed, signature: 'f'.repeat(64) })).toMatchObject({ code: 'ADMIN_BAD_SIGNATURE' });
    expect(check({ ...signed, signature: 'not hex' })).toMatchObject({ code: 'ADMIN_BAD_SIGNATURE' });
    expect(check({ ...signed, command: 'ROLLBACK' })).toMatchObject({ code: 'ADMIN_BAD_SIGNATURE' });
    expect(check({ ...signed, datasetName: 'nsl-kdd' })).toMatchObject({ code: 'ADMIN_BAD_SIGNATURE' });
    expect(check({ ...signed, envelope: { ...signed.envelope, occurredAt: NOW + 1 } })).toMatchObject({
      code: 'ADMIN_BAD_SIGNATURE',
    });
    expect(check(signed, `${SECRET}x`)).toMatchObject({ code: 'ADMIN_BAD_SIGNATURE' });
    // The event id is not signed: a new id keeps the signature valid, so the nonce identifies the replay.
    expect(check({ ...signed, envelope: { ...signed.envelope, eventId: 'another' } })).toMatchObject({
      ok: true,
      nonce: signed.nonce,
    });
  });

  it('refuses a command signed outside the replay window, either side', () => {
    const signed = signAdminCommand(unsigned(), SECRET, NOW);
    const window = DEFAULT_ADMIN_REPLAY_WINDOW_MS;
    expect(verifyAdminCommand(signed, SECRET, { now: NOW + window })).toMatchObject({ ok: true });
    const late = verifyAdminCommand(signed, SECRET, { now: NOW + window + 1_000 });
    expect(late).toMatchObject({ ok: false, code: 'ADMIN_STALE' });
    expect(!late.ok && late.reason).toMatch(
      /signed at 2026-12-01T09:30:00\.000Z, 301 s ago, outside the replay window of 300 s/,
    );
    const early = verifyAdminCommand(signed, SECRET, { now: NOW - 60_000, windowMs: 30_000 });
    expect(!early.ok && early.reason).toMatch(/60 s in the future, outside the replay window of 30 s/);
  });

  it('has one canonical form for the fields that say what to do', () => {
    const signed = signAdminCommand(unsigned(), SECRET, NOW);
    expect(JSON.parse(canonicalAdminCommand({ ...signed, nonce: signed.nonce! }))).toEqual([
      'netsentry/admin-command@1',
      signed.nonce,
      NOW,
      'cli',
      'RETRAIN',
      'weekly retrain',
      'ops@example.com',
      null,
      'phishing',
    ]);
    expect(() => signAdminCommand(unsigned(), '')).toThrow(/NETSENTRY_ADMIN_SECRET/);
  });
});
