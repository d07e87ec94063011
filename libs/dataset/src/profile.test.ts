import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Readable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { openDataFile } from './csv-reader';
import { profileCsv } from './profile';
import { loadDatasetSchema, parseDatasetSchema } from './schema-parser';

const root = resolve(__dirname, '../../..');
const dataFile = (p: string) => resolve(root, 'data', p);

/** The bundled files quote only header names, never a comma: an independent split is a fair cross-check. */
function rowsOf(path: string): string[][] {
  const raw = readFileSync(path);
  const text = (path.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8');
  return text
    .split(/\r?\n/)
    .filter((l) => l.length > 0)
    .map((l) => l.split(',').map((f) => f.replace(/^"(.*)"$/, '$1')));
}

describe('profileCsv', () => {
  it('describes the phishing file truthfully, and its suggested specs accept the file', async () => {
    const schema = await loadDatasetSchema(dataFile('schemas/phishing.yaml'));
    const profile = await profileCsv(openDataFile(dataFile('phishing.csv')), { schema });
    const [header, ...rows] = rowsOf(dataFile('phishing.csv'));
    expect(profile.rows).toBe(rows.length);
    expect(profile.rejectedRows).toBe(0);
    expect(profile.headerCheck?.ok).toBe(true);
    expect(profile.columns.map((c) => c.name)).toEqual(header);

    const result = profile.columns.find((c) => c.name === 'Result')!;
    const counts = new Map<string, number>();
    for (const r of rows) counts.set(r.at(-1)!, (counts.get(r.at(-1)!) ?? 0) + 1);
    expect(result).toMatchObject({ role: 'target', declared: 'binary', seen: 'binary', missing: 0 });
    expect(new Map(result.topValues.map((v) => [v.value, v.count]))).toEqual(counts);

    // A schema written from the suggestions alone accepts every row of the file it was made from.
    const written = [
      'format: netsentry/dataset-schema@1',
      'name: from-suggestions',
      'target: { column: Result, positive: [-1] }',
      'columns:',
      ...profile.columns.map((c) => `  ${c.name}: ${c.suggested}`),
    ].join('\n');
    const suggested = parseDatasetSchema(written);
    const again = await profileCsv(openDataFile(dataFile('phishing.csv')), { schema: suggested });
    expect(again.rejectedRows).toBe(0);
  });

  it('names the cells a tighter schema would reject, with their counts, in gzipped NSL-KDD', async () => {
    const text = readFileSync(dataFile('schemas/nsl-kdd.yaml'), 'utf8').replace(
      'src_bytes: { type: numeric, integer: true, min: 0 }',
      'src_bytes: { type: numeric, integer: true, min: 0, max: 1000 }',
    );
    const schema = parseDatasetSchema(text);
    const file = dataFile('nsl-kdd/KDDTest+.csv.gz');
    const profile = await profileCsv(openDataFile(file), { schema, maxValues: 5 });
    const [header, ...rows] = rowsOf(file);
    const at = header!.indexOf('src_bytes');
    const over = rows.filter((r) => Number(r[at]) > 1000);
    expect(over.length).toBeGreaterThan(0);

    const src = profile.columns.find((c) => c.name === 'src_bytes')!;
    expect(src.rejected).toBe(over.length);
    expect(src.rejectedDistinct).toBe(new Set(over.map((r) => r[at])).size);
    expect(src.rejectedValues).toHaveLength(5);
    expect(src.rejectedValues[0]!.reason).toMatch(/^src_bytes: \d+ > max 1000$/);
    expect(src.max).toBe(Math.max(...rows.map((r) => Number(r[at]))));
    expect(profile.rejectedRows).toBe(over.length);
    expect(profile.rejectedSample[0]!.reasons).toEqual([expect.stringMatching(/^src_bytes: /)]);

    const difficulty = profile.columns.find((c) => c.name === 'difficulty')!;
    expect(difficulty).toMatchObject({ role: 'dropped', rejected: 0 });
    const protocol = profile.columns.find((c) => c.name === 'protocol_type')!;
    expect(protocol.suggested).toBe('{ type: categorical, values: [ icmp, tcp, udp ] }');
  });

  it('profiles a file for another dataset, reporting the header misfit and what its columns hold', async () => {
    const schema = await loadDatasetSchema(dataFile('schemas/phishing.yaml'));
    const csv = 'NumDots,UrlLength,Phising\n3,72,1\n1,na,0\n2,44,1\n';
    const profile = await profileCsv(Readable.from([csv]), { schema });
    expect(profile.headerCheck).toMatchObject({ ok: false, unexpected: ['NumDots', 'UrlLength', 'Phising'] });
    expect(profile.headerCheck?.missing).toContain('Result');
    expect(profile.columns.map((c) => [c.name, c.role, c.missing, c.min, c.max])).toEqual([
      ['NumDots', 'undeclared', 0, 1, 3],
      ['UrlLength', 'undeclared', 1, 44, 72],
      ['Phising', 'undeclared', 0, 0, 1],
    ]);
    expect(profile.columns[2]!.suggested).toBe('{ type: binary, values: [ 0, 1 ] }');
  });

  it('keeps at most the asked number of values and marks a high-cardinality column', async () => {
    const lines = ['id,kind', ...Array.from({ length: 300 }, (_, i) => `${i},k${i % 7}`)];
    const profile = await profileCsv(Readable.from([lines.join('\n')]), { maxValues: 3 });
    const [id, kind] = profile.columns;
    expect(id).toMatchObject({ distinct: 300, seen: 'numeric', integer: true, min: 0, max: 299 });
    expect(id!.topValues).toHaveLength(3);
    expect(id!.suggested).toBe('{ type: numeric, integer: true, min: 0 }');
    expect(kind).toMatchObject({ distinct: 7, seen: 'categorical' });
    expect(kind!.suggested).toBe('{ type: categorical, values: [ k0, k1, k2, k3, k4, k5, k6 ] }');
  });
});
