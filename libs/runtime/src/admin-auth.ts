import { adminSection, loadConfig, type AdminSettings, type Env } from '@netsentry/config';
import { verifyAdminCommand, type AdminCommand, type AdminRefusalCode } from '@netsentry/contracts';
import type { Metrics } from '@netsentry/observability';
import type { Registry } from '@netsentry/registry';
import { NonRetryableError } from './retry';
import type { StageContext } from './stage-handler';

/**
 * An admin command that is not signed, badly signed, stale or replayed: never retried, so the stage
 * runtime dead-letters it to pipeline.dlq with `code` as the errorCode and the reason in words.
 */
export class AdminCommandRefused extends NonRetryableError {
  declare readonly code: AdminRefusalCode;

  constructor(code: AdminRefusalCode, message: string) {
    super(message, code);
    this.name = 'AdminCommandRefused';
  }
}

/**
 * What a consumer of `admin.commands` checks before it acts on a command: the HMAC signature with the shared
 * secret, the signing time against the replay window, and — remembered per stage in the registry — that the
 * nonce has not been accepted under another event id before. A refusal is logged (warn, with the code),
 * counted (`netsentry_admin_commands_refused_total{code,command}`) and thrown as AdminCommandRefused; the
 * command then does nothing. Each stage checks only the commands it carries out.
 */
export class AdminCommandGuard {
  private readonly refused;
  private readonly accepted;

  constructor(
    private readonly stage: string,
    private readonly registry: Registry,
    private readonly settings: AdminSettings,
    metrics?: Metrics,
  ) {
    this.refused = metrics?.counter(
      'netsentry_admin_commands_refused_total',
      'Admin commands refused before acting, by code (ADMIN_UNSIGNED, ADMIN_BAD_SIGNATURE, ADMIN_STALE, ADMIN_REPLAYED) and command',
      ['code', 'command'],
    );
    this.accepted = metrics?.counter(
      'netsentry_admin_commands_verified_total',
      'Signed admin commands accepted (signature, signing time and nonce checked), by command',
      ['command'],
    );
  }

  /** The guard of `stage` with `NETSENTRY_ADMIN_*` from the environment (fails fast, naming the variable). */
  static fromEnv(stage: string, registry: Registry, metrics?: Metrics, env?: Env): AdminCommandGuard {
    return new AdminCommandGuard(stage, registry, loadConfig(adminSection(), env), metrics);
  }

  /** Resolves when the command may be carried out; throws AdminCommandRefused otherwise. */
  async verify(command: AdminCommand, ctx: StageContext<'admin.commands'>, now = Date.now()): Promise<void> {
    const verdict = verifyAdminCommand(command, this.settings.secret, {
      now,
      windowMs: this.settings.replayWindowMs,
    });
    if (!verdict.ok) this.refuse(command, ctx, verdict.code, verdict.reason);
    const claim = await this.registry.adminNonces.claim(this.stage, verdict.nonce, ctx.envelope.eventId);
    if (claim.kind === 'replay') {
      this.refuse(
        command,
        ctx,
        'ADMIN_REPLAYED',
        `${command.command} from ${command.requestedBy} refused: a replay of command ${claim.of.eventId} ` +
          `(nonce ${verdict.nonce}, first seen ${claim.of.seenAt.toISOString()}); a command is carried out once`,
      );
    }
    this.accepted?.inc({ command: command.command });
  }

  private refuse(
    command: AdminCommand,
    ctx: StageContext<'admin.commands'>,
    code: AdminRefusalCode,
    reason: string,
  ): never {
    this.refused?.inc({ code, command: command.command });
    ctx.logger.warn(
      { code, command: command.command, requestedBy: command.requestedBy, reason },
      'admin command refused: nothing done',
    );
    throw new AdminCommandRefused(code, reason);
  }
}
