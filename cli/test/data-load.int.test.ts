import { createMongoClient } from '@netsentry/registry';
import { isolatedStageEnv, repoRoot } from '@netsentry/testkit';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { dataLoad } from '../src/data-load';

// `netsentry data load` against the real MongoDB-wire server: what an operator sees on stderr and stdout.

const env = isolatedStageEnv('dataload');
const data = (p: string) => join(repoRoot, 'data', p);
const scratch = mkdtempSync(join(tmpdir(), 'data-load-'));
let stdout = '';
let stderr = '';

/** A non-terminal progress stream (CI logs, pipes): one line every 10%, then the final line. */
function capture(): { stream: NodeJS.WriteStream; lines: () => string[] } {
  const stream = new PassThrough() as unknown as NodeJS.WriteStream;
  let text = '';
  (stream as unknown as PassThrough).on('data', (c: Buffer) => (text += c.toString()));
  return { stream, lines: () => text.trimEnd().split('\n') };
}

beforeEach(() => {
  stdout = '';
  stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
});
afterEach(() => vi.restoreAllMocks());

afterAll(async () => {
  const client = createMongoClient({
    uri: env.NETSENTRY_MONGO_URI!,
    database: env.NETSENTRY_MONGO_DATABASE!,
  });
  await client.connect();
  await client.db(env.NETSENTRY_MONGO_DATABASE).dropDatabase();
  await client.close();
});

const options = { batchSize: 1_000, json: true };

describe('netsentry data load', () => {
  it('ends its progress with the true row count, not the last figure taken while reading ahead', async () => {
    const progress = capture();
    const code = await dataLoad(
      data('nsl-kdd/KDDTest+.csv.gz'),
      { ...options, schema: data('schemas/nsl-kdd.yaml') },
      env,
      progress.stream,
    );
    expect(code).toBe(0);
    const summary = JSON.parse(stdout) as { rowsRead: number; inserted: number };
    const lines = progress.lines();
    expect(lines.at(-1)).toBe(`100% ${summary.rowsRead.toLocaleString('en')} rows`);
    // One line per decile and the final one; never two lines claiming 100% with different counts.
    expect(lines.filter((l) => l.startsWith('100% '))).toHaveLength(1);
    expect(summary.inserted).toBe(summary.rowsRead);
  });

  it('refuses a changed schema for a loaded dataset, naming what changed, until --rebind-schema', async () => {
    const load = (schema: string, rebindSchema = false) =>
      dataLoad(data('phishing.csv'), { ...options, schema, rebindSchema }, env, capture().stream);
    expect(await load(data('schemas/phishing.yaml'))).toBe(0);

    const changed = join(scratch, 'phishing-changed.yaml');
    writeFileSync(
      changed,
      readFileSync(data('schemas/phishing.yaml'), 'utf8')
        .replace("missing: ['', na, NA, '?']", "missing: ['', na, NA, '?', '-']")
        .replace(
          'URL_Length: { type: numeric, integer: true, values: [-1, 0, 1] }',
          'URL_Length: { type: categorical, values: [-1, 0, 1] }',
        ),
    );
    stdout = '';
    stderr = '';
    expect(await load(changed)).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain("dataset 'phishing' is bound to schema phishing.yaml");
    expect(stderr).toContain('missing: ["","na","NA","?"] → ["","na","NA","?","-"]');
    expect(stderr).toContain('columns.URL_Length.type: "numeric" → "categorical"');
    expect(stderr).toContain('--rebind-schema');

    // A comment-only edit is a different file too: refused, and the message says only the text differs.
    const commented = join(scratch, 'phishing-commented.yaml');
    writeFileSync(commented, `${readFileSync(data('schemas/phishing.yaml'), 'utf8')}# reviewed\n`);
    stderr = '';
    expect(await load(commented)).toBe(2);
    expect(stderr).toContain('differ only in comments or layout');

    stdout = '';
    expect(await load(changed, true)).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ dataset: 'phishing', alreadyPresent: 11_055 });
    // Now bound to the changed file: loading with it again needs no flag, the old one does.
    expect(await load(changed)).toBe(0);
    expect(await load(data('schemas/phishing.yaml'))).toBe(2);
  });
});
