import { defineConfig, list, loadConfig, mongoSection, str } from '@netsentry/config';
import { serviceSpecs } from '@netsentry/contracts';
import {
  createMongoClient,
  Registry,
  type AliasHistoryEntry,
  type AliasState,
  type ModelRecord,
  type Run,
} from '@netsentry/registry';
import { inferenceStatus, type InferenceStatus } from './inference-status';
import { formatPhase, scrapeProgress, type PhaseAtWork } from './stage-progress';

/**
 * The six pipeline stages and inference, and where their HTTP endpoints answer on one machine, from the
 * service catalogue (the ports each `main.ts` takes from it).
 */
export const DEFAULT_SERVICE_URLS = serviceSpecs()
  .map((s) => `${s.name}=http://127.0.0.1:${s.httpPort}`)
  .join(',');

export interface ServiceEndpoint {
  readonly name: string;
  readonly url: string;
}

export interface ServiceHealth extends ServiceEndpoint {
  /** ready: /readyz answered 200; not-ready: it answered otherwise; down: no answer. */
  readonly state: 'ready' | 'not-ready' | 'down';
  readonly detail: string;
  /**
   * For the service named `inference` (when it answers): the served model version, records/s between
   * two /metrics scrapes 1 s apart, and consumer lag; `{ error }` when /metrics could not be read.
   */
  readonly inference?: InferenceStatus | { readonly error: string };
  /**
   * The phases of long work under way (its `netsentry_stage_progress_*` gauges below 1): phase, share done
   * and estimated seconds left; empty when idle, absent when the service or its /metrics did not answer.
   */
  readonly progress?: readonly PhaseAtWork[];
}

/** The catalogue name of the serving service, whose /metrics `status` reads. */
export const INFERENCE_SERVICE = 'inference';

/** One dataset's production model and the latest moves of its alias. */
export interface DatasetProductionStatus {
  readonly dataset: string;
  readonly production: AliasState;
  readonly history: readonly AliasHistoryEntry[];
}

export interface StatusReport {
  /** Every dataset with a production model, by name (each has its own alias, history and rollback). */
  readonly productions: readonly DatasetProductionStatus[];
  readonly models: readonly ModelRecord[];
  readonly runs: readonly Run[];
  readonly services: readonly ServiceHealth[];
}

const statusSection = defineConfig({
  NETSENTRY_SERVICE_URLS: list({
    default: DEFAULT_SERVICE_URLS.split(','),
    of: str({ pattern: /^[A-Za-z0-9][A-Za-z0-9_-]*=https?:\/\/\S+$/ }),
    description: 'services whose /readyz `netsentry status` asks, as name=http(s)://host:port pairs',
  }),
});

/** `name=url,…` from NETSENTRY_SERVICE_URLS (default: the six stages on localhost); errors name it. */
export function serviceEndpoints(env: NodeJS.ProcessEnv): ServiceEndpoint[] {
  return loadConfig(statusSection, env).NETSENTRY_SERVICE_URLS.map((pair) => {
    const at = pair.indexOf('=');
    return { name: pair.slice(0, at), url: pair.slice(at + 1).replace(/\/+$/, '') };
  });
}

/** Asks each service's /readyz, with a short timeout, and inference's /metrics (twice); never throws. */
export async function probeServices(
  endpoints: readonly ServiceEndpoint[],
  timeoutMs = 1_500,
): Promise<ServiceHealth[]> {
  return Promise.all(
    endpoints.map(async (e): Promise<ServiceHealth> => {
      const [health, inference, progress] = await Promise.all([
        readiness(e, timeoutMs),
        e.name === INFERENCE_SERVICE
          ? inferenceStatus(e.url, { timeoutMs }).catch((err: unknown) => ({ error: fetchError(err) }))
          : undefined,
        scrapeProgress(e.url, timeoutMs).catch(() => undefined),
      ]);
      if (health.state === 'down') return health;
      return {
        ...health,
        ...(inference === undefined ? {} : { inference }),
        ...(progress === undefined ? {} : { progress }),
      };
    }),
  );
}

const fetchError = (err: unknown): string =>
  err instanceof Error ? ((err.cause as { code?: string } | undefined)?.code ?? err.message) : String(err);

async function readiness(e: ServiceEndpoint, timeoutMs: number): Promise<ServiceHealth> {
  try {
    const res = await fetch(`${e.url}/readyz`, { signal: AbortSignal.timeout(timeoutMs) });
    await res.body?.cancel();
    return res.ok
      ? { ...e, state: 'ready', detail: 'ready' }
      : { ...e, state: 'not-ready', detail: `/readyz answered ${res.status}` };
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code;
    return { ...e, state: 'down', detail: cause ?? (err as Error).name };
  }
}

export async function collectStatus(
  registry: Registry,
  options: { limit: number; services: readonly ServiceEndpoint[] },
): Promise<StatusReport> {
  const [heads, models, runs, services] = await Promise.all([
    registry.productions(),
    registry.models.list({ limit: options.limit }),
    registry.runs.list({ limit: options.limit }),
    probeServices(options.services),
  ]);
  const productions = await Promise.all(
    heads.map(async ({ dataset, ...production }) => ({
      dataset,
      production,
      history: await registry.aliases.history(production.alias, options.limit),
    })),
  );
  return { productions, models, runs, services };
}

const when = (d: Date | null): string => (d ? d.toISOString().replace('T', ' ').slice(0, 19) : '-');
const fixed = (x: number | undefined): string => (x === undefined ? '-' : x.toFixed(4));
const pad = (rows: string[][]): string[] => {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  '));
};

/** The report as an operator reads it in a terminal. */
export function formatStatus(report: StatusReport): string {
  const lines: string[] = [];
  if (report.productions.length === 0) lines.push('production: none (no model has been pushed)');
  for (const { dataset, production: p } of report.productions) {
    lines.push(
      `production ${dataset}: ${p.version} since ${when(p.movedAt)} (${p.action} by ${p.actor}: ${p.reason})`,
    );
  }
  for (const { dataset, history } of report.productions) {
    if (history.length === 0) continue;
    lines.push('', `production history of ${dataset} (newest first):`);
    const rows = [['rev', 'moved at', 'action', 'version', 'from', 'by', 'reason']];
    for (const h of history) {
      rows.push([
        String(h.revision),
        when(h.movedAt),
        h.action,
        h.version,
        h.previousVersion ?? '-',
        h.actor,
        h.reason,
      ]);
    }
    lines.push(...pad(rows).map((l) => `  ${l}`));
  }
  lines.push('', 'models (newest first):');
  if (report.models.length === 0) lines.push('  none');
  else {
    const rows = [['version', 'status', 'candidate', 'test f1', 'cv f1', 'run', 'why']];
    for (const m of report.models) {
      rows.push([
        m.version,
        m.status,
        m.candidate,
        fixed(m.testMetrics?.f1),
        fixed(m.cvMetrics.f1),
        m.runId,
        m.status === 'quarantined' || m.status === 'accepted' ? (m.reasons[0] ?? '') : '',
      ]);
    }
    lines.push(...pad(rows).map((l) => `  ${l}`));
  }
  lines.push('', 'runs (newest first):');
  if (report.runs.length === 0) lines.push('  none');
  else {
    const rows = [['run', 'status', 'dataset', 'started', 'last stage', 'reason']];
    for (const r of report.runs) {
      const last = Object.entries(r.stages)
        .sort((a, b) => a[1].at.getTime() - b[1].at.getTime())
        .at(-1);
      rows.push([
        r.runId,
        r.status,
        r.dataset,
        when(r.startedAt),
        last ? `${last[0]} ${last[1].status}` : '-',
        r.reason ?? '',
      ]);
    }
    lines.push(...pad(rows).map((l) => `  ${l}`));
  }
  lines.push('', 'services:');
  const rows = [['service', 'state', 'url', 'detail']];
  for (const s of report.services) rows.push([s.name, s.state, s.url, s.detail]);
  lines.push(...pad(rows).map((l) => `  ${l}`));
  const atWork = report.services.flatMap((s) => (s.progress ?? []).map((p) => [s.name, formatPhase(p)]));
  if (report.services.some((s) => s.progress !== undefined)) {
    lines.push('', 'at work (phase, share done, time left):');
    if (atWork.length === 0) lines.push('  none: no service reports a phase under way');
    else lines.push(...pad(atWork).map((l) => `  ${l}`));
  }
  for (const s of report.services) {
    if (s.inference === undefined) continue;
    lines.push('', `${s.name}:`);
    if ('error' in s.inference) {
      lines.push(`  /metrics: ${s.inference.error}`);
      continue;
    }
    const i = s.inference;
    lines.push(
      `  serving:   ${i.servedVersion === null ? 'no model (no production model yet?)' : `${i.servedVersion}${i.dataset ? ` (${i.dataset})` : ''}`}`,
      `  records/s: ${i.recordsPerSecond === null ? '-' : i.recordsPerSecond.toFixed(1)} (over 1 s; ${i.recordsTotal ?? 0} since start)`,
      `  lag:       ${i.lag === null ? '- (no batch consumed yet)' : `${i.lag} records behind on traffic.records`}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** `netsentry status`: each dataset's production and its history, recent models and runs (registry) and service health. */
export async function status(
  options: { json: boolean; limit: number },
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const services = serviceEndpoints(env);
  const mongo = loadConfig(mongoSection(), env);
  const client = createMongoClient(mongo);
  try {
    await client.connect();
    const registry = new Registry(client.db(mongo.database));
    const report = await collectStatus(registry, { limit: options.limit, services });
    process.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : formatStatus(report));
    return 0;
  } finally {
    await client.close();
  }
}
