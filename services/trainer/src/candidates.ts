import { RANDOM_FOREST_DEFAULTS, XGBOOST_DEFAULTS, type EngineKind } from '@netsentry/ml';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import {
  METRICS,
  type CandidateSpec,
  type EarlyStoppingSpec,
  type HalvingConfig,
  type MetricName,
  type ParamSpec,
  type ParamValue,
  type SearchConfig,
} from './search';

/** The candidates file shipped with the service (`config/candidates.yaml`, next to src/ and dist/). */
export const DEFAULT_CANDIDATES_PATH = join(__dirname, '..', 'config', 'candidates.yaml');

export class CandidatesConfigError extends Error {
  constructor(
    readonly source: string,
    readonly problems: readonly string[],
  ) {
    super(`invalid trainer candidates file ${source}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'CandidatesConfigError';
  }
}

/** Parameters the search may set, per engine (the seed comes from the config, firstTree is internal). */
const SEARCHABLE: Record<EngineKind, ReadonlySet<string>> = {
  xgboost: new Set(Object.keys(XGBOOST_DEFAULTS).filter((k) => k !== 'seed')),
  'random-forest': new Set([
    ...Object.keys(RANDOM_FOREST_DEFAULTS).filter((k) => k !== 'seed' && k !== 'firstTree'),
    'featureFraction',
  ]),
};

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isScalar = (v: unknown): v is ParamValue =>
  (typeof v === 'number' && Number.isFinite(v)) || typeof v === 'string' || typeof v === 'boolean';

function paramSpec(raw: unknown, at: string, problems: string[]): ParamSpec | null {
  if (!isObject(raw)) {
    problems.push(`${at}: expected { int: [min, max] }, { float: [min, max] } or { choice: [...] }`);
    return null;
  }
  const log = raw.log === true;
  if (raw.log !== undefined && typeof raw.log !== 'boolean') problems.push(`${at}.log: expected a boolean`);
  if (Array.isArray(raw.choice)) {
    if (raw.choice.length === 0 || !raw.choice.every(isScalar)) {
      problems.push(`${at}.choice: expected a non-empty list of numbers, strings or booleans`);
      return null;
    }
    return { kind: 'choice', values: raw.choice };
  }
  for (const kind of ['int', 'float'] as const) {
    const range = raw[kind];
    if (range === undefined) continue;
    if (
      !Array.isArray(range) ||
      range.length !== 2 ||
      !range.every((v) => typeof v === 'number' && Number.isFinite(v)) ||
      (range[0] as number) > (range[1] as number)
    ) {
      problems.push(`${at}.${kind}: expected [min, max] with min ≤ max`);
      return null;
    }
    const [min, max] = range as [number, number];
    if (kind === 'int' && !(Number.isInteger(min) && Number.isInteger(max))) {
      problems.push(`${at}.int: bounds must be integers`);
      return null;
    }
    if (log && min <= 0) {
      problems.push(`${at}: a log scale needs min > 0`);
      return null;
    }
    return { kind, min, max, log };
  }
  problems.push(`${at}: expected one of int, float, choice`);
  return null;
}

export interface CandidatesOverrides {
  readonly trialsPerCandidate?: number;
  readonly folds?: number;
  readonly seed?: number;
  /** false: no successive halving whatever the file says; an object: halving (the file's or the defaults), with its factor. */
  readonly halving?: false | { readonly factor?: number };
  /** 0: no row cap whatever the file says; n: search on at most n rows. */
  readonly maxSearchRows?: number;
  /** 0: no time budget whatever the file says; s: at most s seconds before the last rung. */
  readonly searchBudgetSeconds?: number;
}

/** The smallest row cap a search accepts: 3 folds of it still train and validate on enough rows. */
export const MIN_SEARCH_ROWS = 1_000;

export const HALVING_DEFAULTS: HalvingConfig = { factor: 3, minRows: 500, minValidRows: 1_000 };
export const EARLY_STOPPING_DEFAULTS: Omit<EarlyStoppingSpec, 'patience'> = {
  every: 10,
  maxRows: 2_000,
  minTrainRows: 20_000,
};

type IntReader = (v: unknown, name: string, min: number, fallback: number) => number;

/** `halving: off | false`, or a mapping of factor / minRows / minValidRows (defaults HALVING_DEFAULTS). */
function halvingSection(raw: unknown, int: IntReader, problems: string[]): HalvingConfig | undefined {
  if (raw === undefined || raw === false || raw === 'off') return undefined;
  if (raw === true || raw === 'on') return HALVING_DEFAULTS;
  if (!isObject(raw)) {
    problems.push('halving: expected off or a mapping of factor, minRows, minValidRows');
    return undefined;
  }
  for (const k of Object.keys(raw)) {
    if (!(k in HALVING_DEFAULTS))
      problems.push(`halving.${k}: unknown (known: factor, minRows, minValidRows)`);
  }
  return {
    factor: int(raw.factor, 'halving.factor', 2, HALVING_DEFAULTS.factor),
    minRows: int(raw.minRows, 'halving.minRows', 1, HALVING_DEFAULTS.minRows),
    minValidRows: int(raw.minValidRows, 'halving.minValidRows', 0, HALVING_DEFAULTS.minValidRows),
  };
}

function earlyStoppingSection(
  raw: unknown,
  at: string,
  int: IntReader,
  problems: string[],
): EarlyStoppingSpec | undefined {
  if (!isObject(raw) || raw.patience === undefined) {
    problems.push(`${at}: expected a mapping with patience (and optional every, maxRows, minTrainRows)`);
    return undefined;
  }
  for (const k of Object.keys(raw)) {
    if (!['patience', 'every', 'maxRows', 'minTrainRows'].includes(k))
      problems.push(`${at}.${k}: unknown (known: patience, every, maxRows, minTrainRows)`);
  }
  return {
    patience: int(raw.patience, `${at}.patience`, 1, 1),
    every: int(raw.every, `${at}.every`, 1, EARLY_STOPPING_DEFAULTS.every),
    maxRows: int(raw.maxRows, `${at}.maxRows`, 1, EARLY_STOPPING_DEFAULTS.maxRows),
    minTrainRows: int(raw.minTrainRows, `${at}.minTrainRows`, 0, EARLY_STOPPING_DEFAULTS.minTrainRows),
  };
}

/** Parses and validates a candidates file's text; every problem is reported at once. */
export function parseCandidatesConfig(
  text: string,
  source = 'candidates.yaml',
  overrides: CandidatesOverrides = {},
): SearchConfig {
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (e) {
    throw new CandidatesConfigError(source, [`not YAML: ${(e as Error).message}`]);
  }
  const problems: string[] = [];
  if (!isObject(raw)) throw new CandidatesConfigError(source, ['expected a mapping at the top level']);
  const metric = raw.metric ?? 'f1';
  if (!METRICS.includes(metric as MetricName)) problems.push(`metric: expected one of ${METRICS.join(', ')}`);
  const int = (v: unknown, name: string, min: number, fallback: number): number => {
    if (v === undefined) return fallback;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
      problems.push(`${name}: expected an integer ≥ ${min}`);
      return fallback;
    }
    return v;
  };
  const folds = overrides.folds ?? int(raw.folds, 'folds', 2, 3);
  const seed = overrides.seed ?? int(raw.seed, 'seed', 0, 42);
  const trialsPerCandidate =
    overrides.trialsPerCandidate ?? int(raw.trialsPerCandidate, 'trialsPerCandidate', 1, 6);
  const candidates: CandidateSpec[] = [];
  const list = Array.isArray(raw.candidates) ? raw.candidates : null;
  if (!list || list.length === 0) problems.push('candidates: expected a non-empty list');
  const names = new Set<string>();
  (list ?? []).forEach((c, i) => {
    const at = `candidates[${i}]`;
    if (!isObject(c)) {
      problems.push(`${at}: expected a mapping`);
      return;
    }
    const name = c.name;
    if (typeof name !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) {
      problems.push(`${at}.name: expected a name of letters, digits, '.', '_' or '-'`);
      return;
    }
    if (names.has(name)) problems.push(`${at}.name: '${name}' appears twice`);
    names.add(name);
    const engine = c.engine ?? name;
    if (engine !== 'xgboost' && engine !== 'random-forest') {
      problems.push(`${at}.engine: expected xgboost or random-forest`);
      return;
    }
    const allowed = SEARCHABLE[engine];
    const check = (key: string, where: string): boolean => {
      if (allowed.has(key)) return true;
      problems.push(`${where}: '${key}' is not a ${engine} parameter (known: ${[...allowed].join(', ')})`);
      return false;
    };
    const fixed: Record<string, ParamValue> = {};
    if (c.fixed !== undefined && !isObject(c.fixed)) problems.push(`${at}.fixed: expected a mapping`);
    for (const [k, v] of Object.entries(isObject(c.fixed) ? c.fixed : {})) {
      if (!check(k, `${at}.fixed`)) continue;
      if (!isScalar(v)) problems.push(`${at}.fixed.${k}: expected a number, string or boolean`);
      else fixed[k] = v;
    }
    const search: Record<string, ParamSpec> = {};
    if (c.search !== undefined && !isObject(c.search)) problems.push(`${at}.search: expected a mapping`);
    for (const [k, v] of Object.entries(isObject(c.search) ? c.search : {})) {
      if (!check(k, `${at}.search`)) continue;
      if (k in fixed) problems.push(`${at}.search.${k}: also fixed`);
      const spec = paramSpec(v, `${at}.search.${k}`, problems);
      if (spec) search[k] = spec;
    }
    const trials = c.trials === undefined ? undefined : int(c.trials, `${at}.trials`, 1, 1);
    let earlyStopping: EarlyStoppingSpec | undefined;
    if (c.earlyStopping !== undefined) {
      if (engine !== 'xgboost') problems.push(`${at}.earlyStopping: only the xgboost engine stops early`);
      else earlyStopping = earlyStoppingSection(c.earlyStopping, `${at}.earlyStopping`, int, problems);
    }
    candidates.push({
      name,
      engine,
      fixed,
      search,
      ...(trials !== undefined && overrides.trialsPerCandidate === undefined ? { trials } : {}),
      ...(earlyStopping ? { earlyStopping } : {}),
    });
  });
  let halving = halvingSection(raw.halving, int, problems);
  if (overrides.halving === false) halving = undefined;
  else if (overrides.halving) {
    const factor = overrides.halving.factor;
    halving = { ...(halving ?? HALVING_DEFAULTS), ...(factor === undefined ? {} : { factor }) };
  }
  // `off` / absent: none; otherwise an integer (rows ≥ MIN_SEARCH_ROWS, seconds ≥ 1). 0 from an override: none.
  const optionalInt = (v: unknown, name: string, min: number): number | undefined => {
    if (v === undefined || v === 'off' || v === false) return undefined;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
      problems.push(`${name}: expected off or an integer ≥ ${min}`);
      return undefined;
    }
    return v;
  };
  const maxSearchRows =
    overrides.maxSearchRows !== undefined
      ? overrides.maxSearchRows || undefined
      : optionalInt(raw.maxSearchRows, 'maxSearchRows', MIN_SEARCH_ROWS);
  const budgetSeconds =
    overrides.searchBudgetSeconds !== undefined
      ? overrides.searchBudgetSeconds || undefined
      : optionalInt(raw.searchBudgetSeconds, 'searchBudgetSeconds', 1);
  if (problems.length > 0) throw new CandidatesConfigError(source, problems);
  return {
    metric: metric as MetricName,
    folds,
    seed,
    trialsPerCandidate,
    candidates,
    ...(halving ? { halving } : {}),
    ...(maxSearchRows === undefined ? {} : { maxSearchRows }),
    ...(budgetSeconds === undefined ? {} : { budgetSeconds }),
  };
}

/** Reads the candidates file (default: the shipped config/candidates.yaml). */
export function loadCandidatesConfig(
  path: string = DEFAULT_CANDIDATES_PATH,
  overrides: CandidatesOverrides = {},
): SearchConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new CandidatesConfigError(path, [
      `cannot read the file (${(e as NodeJS.ErrnoException).code ?? 'error'})`,
    ]);
  }
  return parseCandidatesConfig(text, path, overrides);
}
