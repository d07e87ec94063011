import { defineConfig, type ConfigSection } from '../load';
import { duration, str } from '../validators';

/** How signed admin commands (RETRAIN, ROLLBACK, PROMOTE on `admin.commands`) are checked and made. */
export interface AdminSettings {
  /** The shared HMAC-SHA256 key: every signer (CLI, drift monitor) and verifier (ingestion, pusher) has it. */
  readonly secret: string;
  /** Largest |now − signing time| a command may have; older (or further ahead) is ADMIN_STALE. */
  readonly replayWindowMs: number;
}

/** At least 32 characters: `openssl rand -hex 32` gives 64. */
const SECRET = /^\S{32,}$/;

/** `NETSENTRY_ADMIN_SECRET`, `NETSENTRY_ADMIN_REPLAY_WINDOW` → `AdminSettings`. */
export function adminSection(): ConfigSection<AdminSettings> {
  return defineConfig(
    {
      NETSENTRY_ADMIN_SECRET: str({
        secret: true,
        pattern: SECRET,
        expected: 'at least 32 characters without spaces (e.g. openssl rand -hex 32)',
        description:
          'shared secret admin commands are signed with (HMAC-SHA256); the same value for the CLI, ' +
          'ingestion, pusher and inference. Locally: eval "$(deploy/local/infra env)"',
      }),
      NETSENTRY_ADMIN_REPLAY_WINDOW: duration({
        default: 5 * 60_000,
        description: 'how old (or how far ahead, for clock skew) a signed admin command may be',
      }),
    },
    (v): AdminSettings => ({
      secret: v.NETSENTRY_ADMIN_SECRET,
      replayWindowMs: v.NETSENTRY_ADMIN_REPLAY_WINDOW,
    }),
  );
}
