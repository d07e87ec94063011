import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import type { AdminCommand } from './generated/types';

/** Names the canonical form, so a later change of what is signed cannot be confused with this one. */
export const ADMIN_SIGNATURE_SCHEME = 'netsentry/admin-command@1';

/** How long after (or, for clock skew, before) its signing time a command is accepted: 5 minutes. */
export const DEFAULT_ADMIN_REPLAY_WINDOW_MS = 5 * 60_000;

/**
 * Why an admin command was refused; the dead letter's errorCode and a metric label. ADMIN_REPLAYED is
 * decided by the consumer, which remembers the nonces it has seen (see `verifyAdminCommand`).
 */
export type AdminRefusalCode = 'ADMIN_UNSIGNED' | 'ADMIN_BAD_SIGNATURE' | 'ADMIN_STALE' | 'ADMIN_REPLAYED';

/** A command to sign: everything but the fields signing sets. */
export type UnsignedAdminCommand = Omit<AdminCommand, 'nonce' | 'signature'> &
  Partial<Pick<AdminCommand, 'nonce' | 'signature'>>;

export type AdminVerification =
  | { readonly ok: true; readonly nonce: string; readonly ageMs: number }
  | {
      readonly ok: false;
      readonly code: Exclude<AdminRefusalCode, 'ADMIN_REPLAYED'>;
      readonly reason: string;
    };

const HEX_SHA256 = /^[0-9a-f]{64}$/;

/**
 * The bytes that are signed: a JSON array of the scheme, the nonce, the signing time (envelope.occurredAt),
 * the producing service and every field that says what to do. JSON.stringify of strings, numbers and nulls
 * is deterministic, so signer and verifier agree without a canonicalisation library. The envelope's
 * eventId is not signed: a captured command republished under a new id is then recognised by its nonce
 * and refused as a replay (ADMIN_REPLAYED), instead of passing as a new command or vanishing silently.
 */
export function canonicalAdminCommand(command: UnsignedAdminCommand & { readonly nonce: string }): string {
  return JSON.stringify([
    ADMIN_SIGNATURE_SCHEME,
    command.nonce,
    command.envelope.occurredAt,
    command.envelope.producer.service,
    command.command,
    command.reason,
    command.requestedBy,
    command.targetModelVersion,
    command.datasetName,
  ]);
}

function hmac(secret: string, text: string): Buffer {
  return createHmac('sha256', secret).update(text, 'utf8').digest();
}

function assertSecret(secret: string): void {
  if (typeof secret !== 'string' || secret.length === 0) {
    throw new TypeError('admin secret must be a non-empty string (NETSENTRY_ADMIN_SECRET)');
  }
}

/**
 * Signs an admin command for `admin.commands`: a fresh nonce, the signing time `now` written to
 * envelope.occurredAt, and an HMAC-SHA256 with the shared admin secret over `canonicalAdminCommand`.
 * Returns a new command; the input is not changed. Sign just before publishing: consumers refuse a
 * command signed longer ago than their replay window (5 minutes by default).
 *
 *   const command = signAdminCommand({ envelope, command: 'RETRAIN', … }, settings.secret, Date.now());
 */
export function signAdminCommand(
  command: UnsignedAdminCommand,
  secret: string,
  now: number | Date = Date.now(),
): AdminCommand {
  assertSecret(secret);
  const occurredAt = typeof now === 'number' ? now : now.getTime();
  const unsigned = {
    ...command,
    envelope: { ...command.envelope, occurredAt },
    nonce: randomUUID(),
  };
  const signature = hmac(secret, canonicalAdminCommand(unsigned)).toString('hex');
  return { ...unsigned, signature };
}

export interface VerifyAdminOptions {
  /** The verifier's clock (default: now). */
  readonly now?: number | Date;
  /** Largest |now − signing time| accepted (default 5 minutes). */
  readonly windowMs?: number;
}

/**
 * Checks a command's signature and signing time. Unsigned (no nonce or signature, e.g. written as v1),
 * a signature that does not match (forged, altered, another secret), or a signing time outside the window
 * each give a refusal with a code and the reason in words; a replay (a nonce seen before) is for the
 * caller to detect with the returned nonce. The comparison is constant-time.
 */
export function verifyAdminCommand(
  command: AdminCommand,
  secret: string,
  options: VerifyAdminOptions = {},
): AdminVerification {
  assertSecret(secret);
  const who = `${command.command} from ${command.requestedBy}`;
  if (command.signature === null || command.nonce === null) {
    return {
      ok: false,
      code: 'ADMIN_UNSIGNED',
      reason:
        `${who} refused: the command is not signed (admin.commands v${command.envelope.schemaVersion}` +
        `${command.signature === null ? ', no signature' : ', no nonce'}); sign it with the admin secret ` +
        '(netsentry signs every command it sends when NETSENTRY_ADMIN_SECRET is set)',
    };
  }
  const expected = hmac(secret, canonicalAdminCommand({ ...command, nonce: command.nonce }));
  const given = HEX_SHA256.test(command.signature) ? Buffer.from(command.signature, 'hex') : null;
  if (given === null || !timingSafeEqual(given, expected)) {
    return {
      ok: false,
      code: 'ADMIN_BAD_SIGNATURE',
      reason:
        `${who} refused: the signature does not match the command ` +
        '(forged, altered after signing, or signed with another secret)',
    };
  }
  const now = options.now === undefined ? Date.now() : Number(options.now);
  const windowMs = options.windowMs ?? DEFAULT_ADMIN_REPLAY_WINDOW_MS;
  const ageMs = now - command.envelope.occurredAt;
  if (Math.abs(ageMs) > windowMs) {
    const signedAt = new Date(command.envelope.occurredAt).toISOString();
    const by = `${Math.round(Math.abs(ageMs) / 1000)} s`;
    return {
      ok: false,
      code: 'ADMIN_STALE',
      reason:
        `${who} refused: signed at ${signedAt}, ${ageMs > 0 ? `${by} ago` : `${by} in the future`}, ` +
        `outside the replay window of ${Math.round(windowMs / 1000)} s; send a new command ` +
        '(or check the clocks of sender and service)',
    };
  }
  return { ok: true, nonce: command.nonce, ageMs };
}
