import { serviceSpecs, type SystemServiceName } from '@netsentry/contracts';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { inferenceSnapshot, parsePrometheusText } from '../inference-status';
import type { ProcessSpec } from './supervisor';

/** Where one service of the local system answers, and how it is run. */
export interface LocalService {
  readonly name: SystemServiceName;
  readonly port: number;
  readonly url: string;
  readonly process: ProcessSpec;
}

export interface LocalServicesOptions {
  readonly root: string;
  /** Environment shared by every service (the servers' client settings, prefix, database, secret). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Port of the first service in catalogue order; the others follow (default 8081: the catalogue's). */
  readonly portBase: number;
  readonly logDir: string;
  /** The dataset inference serves. */
  readonly dataset: string;
  /** Extra settings per service (e.g. inference's drift retrain), on top of `env`. */
  readonly overrides?: Partial<Record<SystemServiceName, Readonly<Record<string, string>>>>;
}

/** The seven services as local processes: `node services/<name>/dist/main.js`, each on its own port. */
export function localServices(options: LocalServicesOptions): LocalService[] {
  return serviceSpecs().map((spec, i) => {
    const port = options.portBase + i;
    const env: Record<string, string | undefined> = {
      ...options.env,
      NETSENTRY_HTTP_PORT: String(port),
      NETSENTRY_HTTP_HOST: '127.0.0.1',
      ...(spec.name === 'inference' ? { NETSENTRY_INFERENCE_DATASET: options.dataset } : {}),
      ...options.overrides?.[spec.name],
    };
    return {
      name: spec.name,
      port,
      url: `http://127.0.0.1:${port}`,
      process: {
        name: spec.name,
        command: process.execPath,
        args: [join(options.root, 'services', spec.name, 'dist', 'main.js')],
        env,
        cwd: options.root,
        logFile: join(options.logDir, `${spec.name}.log`),
      },
    };
  });
}

/** The compiled entry points that are missing (`npm run build` makes them). */
export function missingBuilds(services: readonly LocalService[]): string[] {
  return services.flatMap((s) => s.process.args.filter((a) => a.endsWith('.js') && !existsSync(a)));
}

/**
 * What answers on a service's port: `ours` when its /metrics carry `service="<name>"` (a netsentry
 * service of that name, e.g. from an earlier `npm start`, reused as it is), `other` when something else
 * holds the port, `free` when nothing answers. For inference, the dataset of the model it serves, if any.
 */
export type PortProbe =
  | { readonly kind: 'free' }
  | { readonly kind: 'other'; readonly detail: string }
  | { readonly kind: 'ours'; readonly servedDataset: string | null; readonly servedVersion: string | null };

export async function probeService(service: LocalService, timeoutMs = 1_500): Promise<PortProbe> {
  let res: Response;
  try {
    res = await fetch(`${service.url}/metrics`, { signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause;
    if (cause?.code === 'ECONNREFUSED') return { kind: 'free' };
    return { kind: 'other', detail: `no HTTP answer (${err instanceof Error ? err.message : String(err)})` };
  }
  const text = await res.text().catch(() => '');
  const samples = parsePrometheusText(text);
  if (!res.ok || !samples.some((m) => m.labels.service === service.name)) {
    return { kind: 'other', detail: `HTTP ${res.status}, not netsentry's ${service.name}` };
  }
  const served = inferenceSnapshot(samples);
  return { kind: 'ours', servedDataset: served.dataset, servedVersion: served.servedVersion };
}

/** GET `path` answers 200 within the timeout. */
export async function answers(url: string, timeoutMs = 1_500): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    await res.arrayBuffer();
    return res.ok;
  } catch {
    return false;
  }
}
