import type { ArtifactRef } from '@netsentry/contracts';
import {
  productionAliasName,
  type AliasHistoryEntry,
  type Metrics,
  type ModelRecord,
  type ModelStatus,
  type ModelTransition,
  type Params,
  type Registry,
} from '@netsentry/registry';
import { LookupError } from './registry-session';
import { duration, fixed, metricsText, table, when } from './table';

/** The cross-validation score the trainer chose the candidate by (`{ f1: 0.96, f1Std: 0.004 }`). */
export interface CvScore {
  readonly metric: string;
  readonly mean: number;
  readonly std: number | null;
}

/** One entry of a model's status history: its registration, then each transition. */
export interface StatusChange {
  readonly from: ModelStatus | null;
  readonly to: ModelStatus;
  readonly at: Date;
  readonly reasons: readonly string[];
}

/** Where a model stands in its dataset's production alias. */
export interface ModelProduction {
  readonly dataset: string;
  /** True when the dataset's production alias points at it now. */
  readonly current: boolean;
  /** The dataset's production version now (null when it has none). */
  readonly productionVersion: string | null;
  /** The alias moves to it or away from it, newest first. */
  readonly moves: readonly AliasHistoryEntry[];
}

export interface ModelReport {
  readonly version: string;
  readonly dataset: string | null;
  readonly runId: string;
  readonly status: ModelStatus;
  readonly candidate: string;
  readonly params: Params;
  readonly cvScore: CvScore | null;
  readonly cvMetrics: Metrics;
  /** Held-out test metrics as the evaluator stored them (f1, precision, recall, …); null before it judged. */
  readonly testMetrics: Metrics | null;
  /** Why it has its status (the evaluator's checks, or the pusher's reason). */
  readonly reasons: readonly string[];
  /** For a quarantined model: the checks it failed, and who quarantined it. */
  readonly quarantine: {
    readonly by: 'evaluator' | 'pusher';
    readonly at: Date;
    readonly failedChecks: readonly string[];
  } | null;
  readonly history: readonly StatusChange[];
  readonly production: ModelProduction | null;
  readonly bundle: ArtifactRef;
  readonly createdAt: Date;
}

/** The CV score in `cvMetrics`: the metric without the `Std` suffix, with its spread when recorded. */
export function cvScoreOf(cv: Metrics): CvScore | null {
  const metric = Object.keys(cv)
    .filter((k) => !k.endsWith('Std'))
    .sort()[0];
  if (metric === undefined) return null;
  return { metric, mean: cv[metric]!, std: cv[`${metric}Std`] ?? null };
}

/** The report of one model from its registry rows: pure. */
export function describeModel(input: {
  readonly model: ModelRecord;
  readonly dataset: string | null;
  readonly transitions: readonly ModelTransition[];
  readonly production: { readonly version: string } | null;
  readonly aliasHistory: readonly AliasHistoryEntry[];
}): ModelReport {
  const { model } = input;
  const history: StatusChange[] = [
    { from: null, to: 'trained', at: model.createdAt, reasons: [] },
    ...input.transitions.map((t) => ({ from: t.from, to: t.to, at: t.at, reasons: t.reasons ?? [] })),
  ];
  const last = input.transitions.at(-1);
  const quarantine =
    model.status === 'quarantined' && last?.to === 'quarantined'
      ? {
          // The evaluator quarantines trained models; the pusher accepted ones that failed verification.
          by: last.from === 'accepted' ? ('pusher' as const) : ('evaluator' as const),
          at: last.at,
          failedChecks: last.reasons ?? model.reasons,
        }
      : null;
  const moves = input.aliasHistory.filter(
    (h) => h.version === model.version || h.previousVersion === model.version,
  );
  return {
    version: model.version,
    dataset: input.dataset,
    runId: model.runId,
    status: model.status,
    candidate: model.candidate,
    params: model.params,
    cvScore: cvScoreOf(model.cvMetrics),
    cvMetrics: model.cvMetrics,
    testMetrics: model.testMetrics,
    reasons: model.reasons,
    quarantine,
    history,
    production:
      input.dataset === null
        ? null
        : {
            dataset: input.dataset,
            current: input.production?.version === model.version,
            productionVersion: input.production?.version ?? null,
            moves,
          },
    bundle: model.bundle,
    createdAt: model.createdAt,
  };
}

/** Every move of an alias, newest first (the history is short: one row per release). */
const ALL_MOVES = 10_000;

/** The dataset a model was trained on: its own field, else its run's (models registered before the field). */
async function datasetOf(registry: Registry, model: ModelRecord): Promise<string | null> {
  if (model.dataset !== null) return model.dataset;
  return (await registry.runs.get(model.runId))?.dataset ?? null;
}

export async function collectModel(registry: Registry, version: string): Promise<ModelReport> {
  const model = await registry.models.get(version);
  if (model === null)
    throw new LookupError(`model ${version} is not in the registry (try netsentry models list)`);
  const dataset = await datasetOf(registry, model);
  const alias = dataset === null ? null : productionAliasName(dataset);
  const [transitions, production, aliasHistory] = await Promise.all([
    registry.models.transitions(version),
    alias === null ? null : registry.aliases.get(alias),
    alias === null ? [] : registry.aliases.history(alias, ALL_MOVES),
  ]);
  return describeModel({ model, dataset, transitions, production, aliasHistory });
}

/** `models list`: newest first, each with its production standing. */
export async function listModels(
  registry: Registry,
  options: { dataset?: string; status?: ModelStatus; limit: number },
): Promise<ModelReport[]> {
  const models = await registry.models.list({
    limit: options.limit,
    ...(options.dataset === undefined ? {} : { dataset: options.dataset }),
    ...(options.status === undefined ? {} : { status: options.status }),
  });
  return Promise.all(models.map((m) => collectModel(registry, m.version)));
}

const prod = (m: ModelReport): string => {
  if (m.production === null) return '-';
  if (m.production.current) return `production`;
  return m.production.moves.some((h) => h.version === m.version) ? 'was production' : '-';
};

export function formatModelList(models: readonly ModelReport[]): string {
  if (models.length === 0) return 'no models\n';
  const rows = [
    ['version', 'dataset', 'status', 'production', 'candidate', 'cv', 'test f1', 'created', 'why'],
  ];
  for (const m of models) {
    rows.push([
      m.version,
      m.dataset ?? '-',
      m.status,
      prod(m),
      m.candidate,
      m.cvScore ? `${m.cvScore.metric} ${fixed(m.cvScore.mean)}` : '-',
      fixed(m.testMetrics?.f1),
      when(m.createdAt),
      m.quarantine ? m.quarantine.failedChecks.join('; ') : '',
    ]);
  }
  return `${table(rows, '').join('\n')}\n`;
}

export function formatModel(m: ModelReport): string {
  const lines: string[] = [];
  lines.push(`model ${m.version}  (${m.dataset ?? 'dataset unknown'})`);
  lines.push(`  status:     ${m.status}`);
  lines.push(`  run:        ${m.runId}`);
  lines.push(`  candidate:  ${m.candidate} ${JSON.stringify(m.params)}`);
  lines.push(
    `  cv score:   ${m.cvScore ? `${m.cvScore.metric} ${fixed(m.cvScore.mean)}${m.cvScore.std === null ? '' : ` ± ${fixed(m.cvScore.std)}`}` : '-'}`,
  );
  const test = m.testMetrics;
  lines.push(
    `  test:       ${test === null || Object.keys(test).length === 0 ? '- (not evaluated)' : metricsText(test)}`,
  );
  lines.push(`  bundle:     ${m.bundle.uri} (sha256 ${m.bundle.sha256})`);
  if (m.quarantine) {
    lines.push('', `quarantined by the ${m.quarantine.by} at ${when(m.quarantine.at)}; failed checks:`);
    for (const check of m.quarantine.failedChecks) lines.push(`  - ${check}`);
  } else if (m.reasons.length > 0) {
    lines.push('', 'why:');
    for (const reason of m.reasons) lines.push(`  - ${reason}`);
  }
  lines.push('', 'status history:');
  const rows = [['at', 'from', 'to', 'after', 'reasons']];
  let previous: Date | null = null;
  for (const h of m.history) {
    rows.push([
      when(h.at),
      h.from ?? '-',
      h.to,
      previous === null ? '-' : duration(h.at.getTime() - previous.getTime()),
      h.reasons.join('; '),
    ]);
    previous = h.at;
  }
  lines.push(...table(rows));
  lines.push('', 'production:');
  if (m.production === null) lines.push('  unknown (the model names no dataset)');
  else {
    const p = m.production;
    lines.push(
      p.current
        ? `  production of ${p.dataset} now`
        : `  not production of ${p.dataset} (production: ${p.productionVersion ?? 'none'})`,
    );
    if (p.moves.length > 0) {
      const mrows = [['rev', 'moved at', 'action', 'to', 'from', 'by', 'reason']];
      for (const h of p.moves) {
        mrows.push([
          String(h.revision),
          when(h.movedAt),
          h.action,
          h.version,
          h.previousVersion ?? '-',
          h.actor,
          h.reason,
        ]);
      }
      lines.push(...table(mrows));
    } else lines.push('  never in production');
  }
  return `${lines.join('\n')}\n`;
}
