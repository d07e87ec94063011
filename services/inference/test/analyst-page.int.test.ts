import { toySchema, toyTask, type OpenBundle } from '@netsentry/ml';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpApp, type RunningApp } from './support/app';
import { BundleScorer, toyBundle } from './support/bundle-scorer';
import { ensureChromium } from './support/chromium';
import { jsonRows, toCsv } from './support/toy-rows';

// Installs Debian's chromium when it is missing (root + apt-get); skips only when that is impossible.
const chromium = ensureChromium();
if (chromium.path === null) console.warn(`analyst page test skipped: ${chromium.reason}`);

interface Prediction {
  row: number;
  recordId: string;
  score: number;
  isPositive: boolean;
}

const XSS_ID = '<script>window.__xss = 1</script>';
const XSS_PROTO = '<img src=x onerror="window.__xss = 2">';

let bundle: OpenBundle;
let app: RunningApp;
let browser: Browser;
let dir: string;

beforeAll(async () => {
  if (chromium.path === null) return;
  bundle = await toyBundle();
  const scorer = new BundleScorer(toySchema());
  scorer.serve(bundle, '42');
  app = await startHttpApp(scorer);
  dir = mkdtempSync(join(tmpdir(), 'netsentry-page-'));
  browser = await puppeteer.launch({
    executablePath: chromium.path,
    headless: true,
    // Root in a container: Chromium's sandbox needs user namespaces it may not have.
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
  bundle?.free();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** What the test reads of one element of the page. */
interface Shown {
  readonly text: string;
  /** Texts of its `td` cells (for a table row). */
  readonly cells: string[];
  readonly classes: string[];
  readonly attributes: Record<string, string>;
}

/**
 * Reads every element matching `selector` in the page. (The tests are type-checked without the DOM
 * library, so the function run in the page declares the little of the DOM it uses.)
 */
async function query(page: Page, selector: string): Promise<Shown[]> {
  return page.evaluate((sel: string) => {
    interface El {
      readonly textContent: string | null;
      readonly classList: Iterable<string>;
      readonly attributes: ArrayLike<{ readonly name: string; readonly value: string }>;
      querySelectorAll(s: string): ArrayLike<El>;
    }
    const doc = (globalThis as unknown as { document: { querySelectorAll(s: string): ArrayLike<El> } })
      .document;
    return Array.from(doc.querySelectorAll(sel), (el) => ({
      text: el.textContent ?? '',
      cells: Array.from(el.querySelectorAll('td'), (td) => td.textContent ?? ''),
      classes: Array.from(el.classList),
      attributes: Object.fromEntries(Array.from(el.attributes, (a) => [a.name, a.value])),
    }));
  }, selector);
}

async function one(page: Page, selector: string): Promise<Shown> {
  const found = await query(page, selector);
  expect(found, selector).toHaveLength(1);
  return found[0]!;
}

function writeCsv(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** Opens the page, uploads the file through its file input, waits until the table is shown. */
async function uploadThroughPage(path: string, timeout = 30_000): Promise<Page> {
  const page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 900 });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${app.base}/`, { waitUntil: 'load' });
  const input = await page.$('#file');
  expect(input).not.toBeNull();
  await input!.uploadFile(path);
  await page.waitForSelector('body[data-state="done"][data-render="done"], body[data-state="error"]', {
    timeout,
  });
  const state = (await one(page, 'body')).attributes['data-state'];
  const status = (await one(page, '#status')).text;
  expect({ state, status, errors }).toEqual({ state: 'done', status, errors: [] });
  return page;
}

async function readTable(page: Page): Promise<{ head: string[]; rows: string[][]; malicious: boolean[] }> {
  const head = (await query(page, '#predictions thead th')).map((th) => th.text);
  const trs = await query(page, '#predictions tbody tr');
  return {
    head,
    rows: trs.map((tr) => tr.cells),
    malicious: trs.map((tr) => tr.classes.includes('malicious')),
  };
}

/** Clicks a column header and waits until the table is drawn again. */
async function clickHeader(page: Page, key: string): Promise<void> {
  await page.click(`#predictions th[data-key="${key}"] button`);
  await page.waitForSelector('body[data-render="done"]', { timeout: 30_000 });
}

describe.skipIf(chromium.path === null)('the analyst page in headless Chromium', () => {
  it('shows the uploaded CSV scored, malicious rows first, re-sorts on a header click, escapes cells', async () => {
    const rows = jsonRows(toyTask(40, 11).features);
    rows[3] = { ...rows[3]!, recordId: XSS_ID };
    rows[8] = { ...rows[8]!, proto: XSS_PROTO };
    rows[12] = { ...rows[12]!, a: 'not-a-number' };
    const csv = toCsv(rows);
    const path = writeCsv('flows.csv', csv);

    // What the service answers for this file, straight from the API: the page must show exactly this.
    const form = new FormData();
    form.append('file', new Blob([csv], { type: 'text/csv' }), 'flows.csv');
    const api = (await (await fetch(`${app.base}/predict`, { method: 'POST', body: form })).json()) as {
      predictions: Prediction[];
      rejected: { row: number; recordId: string; reason: string }[];
    };
    expect(api.rejected.map((r) => r.row)).toEqual([12]);
    const positives = api.predictions.filter((p) => p.isPositive).length;
    expect(positives).toBeGreaterThan(0);
    expect(positives).toBeLessThan(api.predictions.length);

    const page = await uploadThroughPage(path);
    const table = await readTable(page);
    expect(table.head).toEqual(['Row', 'Record id', 'Label', 'Score', 'a', 'b', 'proto']);

    // Default order: malicious rows first, then by score, descending.
    const byDefault = [...api.predictions].sort(
      (x, y) => Number(y.isPositive) - Number(x.isPositive) || y.score - x.score || x.row - y.row,
    );
    expect(table.rows.map((r) => r[1])).toEqual(byDefault.map((p) => p.recordId));
    expect(table.rows.map((r) => r[3])).toEqual(byDefault.map((p) => p.score.toFixed(4)));
    expect(table.rows.map((r) => r[2])).toEqual(byDefault.map((p) => (p.isPositive ? 'attack' : 'normal')));
    expect(table.malicious).toEqual(byDefault.map((p) => p.isPositive));
    // The feature cells are the CSV's own.
    for (const r of table.rows) {
      const source = rows[Number(r[0]) - 1]!;
      expect(r.slice(4)).toEqual(
        ['a', 'b', 'proto'].map((c) => (source[c] === null ? '' : String(source[c]))),
      );
    }

    // Summary, model and rejected rows.
    expect((await one(page, '#model')).text).toMatch(/Model 42 · dataset toy · threshold 0\.5/);
    const counts = (await query(page, '.summary .card b')).map((b) => b.text);
    expect(counts.slice(0, 3)).toEqual([String(api.predictions.length), String(positives), '1']);
    const rejected = (await query(page, '#rejected tbody tr')).map((tr) => tr.cells);
    expect(rejected).toEqual([['13', 'r12', 'WRONG_TYPE', api.rejected[0]!.reason]]);

    // A <script> or an <img onerror> in a CSV cell is text, never markup.
    expect(table.rows.find((r) => r[0] === '4')![1]).toBe(XSS_ID);
    expect(table.rows.find((r) => r[0] === '9')![6]).toBe(XSS_PROTO);
    expect(await query(page, '#predictions img, #predictions script')).toEqual([]);
    expect(await page.evaluate(() => (globalThis as { __xss?: number }).__xss)).toBeUndefined();

    await page.screenshot({ path: join(tmpdir(), 'netsentry-analyst-page.png'), fullPage: false });

    // Score header: descending, then ascending on a second click.
    await clickHeader(page, 'score');
    const scoreDesc = (await readTable(page)).rows.map((r) => Number(r[3]));
    expect(scoreDesc).toEqual([...scoreDesc].sort((x, y) => y - x));
    expect((await one(page, 'th[data-key="score"]')).attributes['aria-sort']).toBe('descending');
    await clickHeader(page, 'score');
    const ascending = await readTable(page);
    const byScoreAsc = [...api.predictions].sort((x, y) => x.score - y.score || x.row - y.row);
    expect(ascending.rows.map((r) => r[1])).toEqual(byScoreAsc.map((p) => p.recordId));
    expect(ascending.rows.map((r) => r[1])).not.toEqual(table.rows.map((r) => r[1]));
    expect((await one(page, 'th[data-key="score"]')).attributes['aria-sort']).toBe('ascending');

    // A feature column sorts numerically, missing values last.
    await clickHeader(page, 'f0');
    const aColumn = (await readTable(page)).rows.map((r) => r[4]!);
    const present = aColumn.filter((v) => v !== '').map(Number);
    expect(present.length).toBeLessThan(aColumn.length);
    expect(present).toEqual([...present].sort((x, y) => x - y));
    expect(aColumn.slice(present.length).every((v) => v === '')).toBe(true);
    await page.close();
  });

  it('shows the service’s reason when the upload is refused', async () => {
    const page = await browser.newPage();
    await page.goto(`${app.base}/`);
    await (await page.$('#file'))!.uploadFile(writeCsv('broken.csv', 'a,b,proto\n1,"2,tcp\n'));
    await page.waitForSelector('body[data-state="error"]', { timeout: 30_000 });
    expect((await one(page, '#status')).text).toMatch(/MALFORMED_CSV: .*Quote Not Closed/);
    expect((await one(page, '#results')).attributes).toHaveProperty('hidden');
    await page.close();
  });

  it('handles 10,000 rows', async () => {
    const rows = jsonRows(toyTask(10_000, 21).features);
    const path = writeCsv('big.csv', toCsv(rows));
    const started = Date.now();
    const page = await uploadThroughPage(path, 60_000);
    const shownMs = Date.now() - started;
    const count = (await query(page, '#predictions tbody tr')).length;
    expect(count).toBe(10_000);
    const started2 = Date.now();
    await clickHeader(page, 'row');
    const firstRows = (await query(page, '#predictions tbody tr:nth-child(-n+3) td:first-child')).map(
      (td) => td.text,
    );
    expect(firstRows).toEqual(['1', '2', '3']);
    console.log(
      `analyst page: 10,000 rows shown ${shownMs} ms after upload, re-sorted in ${Date.now() - started2} ms`,
    );
    await page.close();
  }, 120_000);
});
