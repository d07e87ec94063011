import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { buildProgram } from '../src/main';
import type { SchemaCheckReport } from '../src/schema-check';

// `netsentry schema check` needs no server: it reads the schema and the data file and stores nothing.

const root = resolve(__dirname, '../..');
const data = (p: string) => join(root, 'data', p);
const scratch = mkdtempSync(join(tmpdir(), 'schema-check-'));
let stdout = '';
let stderr = '';

beforeEach(() => {
  stdout = '';
  stderr = '';
  process.exitCode = undefined;
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
});
afterEach(() => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
});

async function run(...args: string[]): Promise<number> {
  await buildProgram().parseAsync(['node', 'netsentry', 'schema', 'check', ...args]);
  return Number(process.exitCode ?? 0);
}

async function runJson(...args: string[]): Promise<{ code: number; report: SchemaCheckReport }> {
  const code = await run(...args, '--json');
  return { code, report: JSON.parse(stdout) as SchemaCheckReport };
}

describe('netsentry schema check', () => {
  it('validates a schema alone', async () => {
    expect(await run(data('schemas/phishing.yaml'))).toBe(0);
    expect(stdout).toMatch(/valid — dataset 'phishing', 30 features, target Result \(positive: -1\)/);
    expect(stdout.trimEnd().endsWith('ok')).toBe(true);
  });

  it('reads phishing.csv against its schema: every column described, nothing rejected, exit 0', async () => {
    const { code, report } = await runJson(data('schemas/phishing.yaml'), '--data', data('phishing.csv'));
    expect(code).toBe(0);
    const lines = readFileSync(data('phishing.csv'), 'utf8').trimEnd().split('\n');
    expect(report.ok).toBe(true);
    expect(report.data).toMatchObject({ rows: lines.length - 1, rejectedRows: 0 });
    expect(report.data?.columns).toHaveLength(31);
    const url = report.data!.columns!.find((c) => c.name === 'URL_Length')!;
    expect(url).toMatchObject({ declared: 'numeric', seen: 'numeric', integer: true, min: -1, max: 1 });
    expect(url.suggested).toBe('{ type: numeric, integer: true, values: [ -1, 0, 1 ] }');
  });

  it('prints a per-column table, the suggested specs and the true total on its progress line', async () => {
    expect(await run(data('schemas/nsl-kdd.yaml'), '--data', data('nsl-kdd/KDDTest+.csv.gz'))).toBe(0);
    expect(stdout).toMatch(
      /data .*KDDTest\+\.csv\.gz: 22,544 rows, 43 columns; 0 rows the schema would reject/,
    );
    expect(stdout).toMatch(/^ {2}protocol_type +feature +categorical +categorical +0 +3 +tcp ×/m);
    expect(stdout).toMatch(/^ {2}difficulty +dropped +integer/m);
    expect(stdout).toContain('  flag: { type: categorical, values: [ OTH, REJ,');
    expect(stderr.trimEnd().split('\n').at(-1)).toBe('100% 22,544 rows');
  });

  it('reads the whole NSL-KDD train file with its schema', async () => {
    const { code, report } = await runJson(
      data('schemas/nsl-kdd.yaml'),
      '--data',
      data('nsl-kdd/KDDTrain+.csv.gz'),
      '--max-values',
      '50',
    );
    expect(code).toBe(0);
    expect(report.data?.rejectedRows).toBe(0);
    const label = report.data!.columns!.find((c) => c.name === 'label')!;
    expect(label.role).toBe('target');
    expect(label.suggested).toMatch(/^\{ type: categorical, values: \[ back, .*normal.* \] \}$/);
    expect(label.distinct).toBe(label.topValues.length);
  });

  it('refuses the wrong 13-column file with exit 2, naming the columns, and still describes it', async () => {
    const csv = join(scratch, 'phishing-other.csv');
    writeFileSync(
      csv,
      'NumDots,SubdomainLevel,PathLevel,UrlLength,NumDash,NumDashInHostname,AtSymbol,TildeSymbol,' +
        'NumUnderscore,NumPercent,NumQueryComponents,NumAmpersand,Phising\n3,1,5,72,0,0,0,0,0,0,0,0,1\n' +
        '2,0,3,44,1,0,0,0,2,0,1,0,0\n',
    );
    expect(await run(data('schemas/phishing.yaml'), '--data', csv)).toBe(2);
    expect(stdout).toMatch(
      /refused:\n {2}the file does not match dataset schema 'phishing': missing columns: having_IP_Address, .*, Result; unexpected columns: NumDots, .*, Phising/,
    );
    expect(stdout).toMatch(/^ {2}Phising: \{ type: binary, values: \[ 0, 1 \] \}$/m);
  });

  it('exits 2 when the schema would reject rows, unless --max-rejected allows them', async () => {
    const tight = join(scratch, 'phishing-tight.yaml');
    writeFileSync(
      tight,
      readFileSync(data('schemas/phishing.yaml'), 'utf8').replace(
        'URL_Length: { type: numeric, integer: true, values: [-1, 0, 1] }',
        'URL_Length: { type: numeric, integer: true, values: [-1, 1] }',
      ),
    );
    const { code, report } = await runJson(tight, '--data', data('phishing.csv'));
    expect(code).toBe(2);
    const url = report.data!.columns!.find((c) => c.name === 'URL_Length')!;
    expect(url.rejectedValues).toEqual([
      { value: '0', count: url.rejected, reason: 'URL_Length: 0 not in {-1, 1}' },
    ]);
    expect(url.rejected).toBe(url.topValues.find((v) => v.value === '0')!.count);
    const rows = (report.data?.rows ?? 0).toLocaleString('en');
    expect(report.refusals).toEqual([
      `the schema would reject ${url.rejected.toLocaleString('en')} of ${rows} rows`,
    ]);

    stdout = '';
    expect(await run(tight, '--data', data('phishing.csv'), '--max-rejected', String(url.rejected))).toBe(0);
    expect(stdout).toMatch(
      /values the schema rejects:\n {2}URL_Length: [\d,]+ cells — '0' ×[\d,]+ \(e\.g\. URL_Length: 0 not in \{-1, 1\}\)/,
    );
  });

  it('lists every problem of an invalid schema with exit 2, and still describes the data', async () => {
    const bad = join(scratch, 'bad.yaml');
    writeFileSync(
      bad,
      [
        'format: netsentry/dataset-schema@1',
        'name: Bad Name',
        'target: { column: y, positive: [1] }',
        'columns:',
        '  x: { type: numeric, description: kept numeric (1, 2, 3) }',
        '  y: { type: binary, values: [0, 1] }',
      ].join('\n'),
    );
    const csv = join(scratch, 'xy.csv');
    writeFileSync(csv, 'x,y\n1,0\n2,1\n');
    const { code, report } = await runJson(bad, '--data', csv);
    expect(code).toBe(2);
    expect(report.schema.valid).toBe(false);
    const problems = report.schema.valid ? [] : report.schema.problems.map((p) => `${p.line} ${p.message}`);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^2 name must be lower-case/),
        expect.stringMatching(/^5 unknown keys '2', '3\)': in a flow-style mapping/),
      ]),
    );
    expect(report.data?.columns?.map((c) => c.name)).toEqual(['x', 'y']);
  });

  it('refuses a data file it cannot read with exit 2', async () => {
    expect(await run(data('schemas/phishing.yaml'), '--data', join(scratch, 'absent.csv'))).toBe(2);
    expect(stdout).toMatch(/cannot read .*absent\.csv: ENOENT/);
  });
});
