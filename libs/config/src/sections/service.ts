import { hostname } from 'node:os';
import { buildVersion } from '../build-id';
import { defineConfig, type ConfigSection } from '../load';
import { oneOf, port, str } from '../validators';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface ServiceSettings {
  readonly name: string;
  readonly version: string;
  readonly http: { readonly host: string; readonly port: number };
  readonly logLevel: LogLevel;
  /** This replica's stable name (the pod name on Kubernetes): per-replica consumer groups and transactional ids. */
  readonly instanceId: string;
}

export interface ServiceSectionOptions {
  /** The service name, e.g. `trainer`; it labels logs and metrics. */
  readonly name: string;
  /** The service's default HTTP port. */
  readonly httpPort: number;
  /**
   * The default version; when omitted, the git commit the code was built from (`npm run build` writes
   * libs/config/build-id.json), or `dev` without one.
   */
  readonly version?: string;
}

/** `NETSENTRY_HTTP_*`, `NETSENTRY_LOG_LEVEL`, `NETSENTRY_SERVICE_VERSION` → `ServiceSettings`. */
export function serviceSection(options: ServiceSectionOptions): ConfigSection<ServiceSettings> {
  return defineConfig(
    {
      NETSENTRY_HTTP_PORT: port({
        default: options.httpPort,
        description: 'Port of /metrics, /healthz, /readyz',
      }),
      NETSENTRY_HTTP_HOST: str({ default: '0.0.0.0', description: 'Address the HTTP server binds' }),
      NETSENTRY_LOG_LEVEL: oneOf(LOG_LEVELS, { default: 'info', ignoreCase: true }),
      NETSENTRY_SERVICE_VERSION: str({
        default: options.version ?? buildVersion() ?? 'dev',
        description:
          'Code version in events, logs, metrics and lineage, e.g. the image tag (default: the git commit built from)',
      }),
      NETSENTRY_INSTANCE_ID: str({
        default: hostname().replace(/[^A-Za-z0-9._-]/g, '-'),
        pattern: /^[A-Za-z0-9._-]{1,100}$/,
        expected: 'a replica name of letters, digits, ".", "_" or "-"',
        description: 'Stable name of this replica (the pod name); default: the hostname',
      }),
      // Read here only so that every service's logger scrubs it (`secretValues`); `adminSection` validates
      // it where admin commands are signed or verified.
      NETSENTRY_ADMIN_SECRET: str({ optional: true, secret: true }),
    },
    (v): ServiceSettings => ({
      name: options.name,
      version: v.NETSENTRY_SERVICE_VERSION,
      http: { host: v.NETSENTRY_HTTP_HOST, port: v.NETSENTRY_HTTP_PORT },
      logLevel: v.NETSENTRY_LOG_LEVEL,
      instanceId: v.NETSENTRY_INSTANCE_ID,
    }),
  );
}
