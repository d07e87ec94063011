import { toySchema, toyTask, type OpenBundle } from '@netsentry/ml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpApp, type RunningApp } from './support/app';
import { BundleScorer, toyBundle } from './support/bundle-scorer';
import { jsonRows, toCsv } from './support/toy-rows';

interface Prediction {
  row: number;
  recordId: string;
  score: number;
  label: string;
  isPositive: boolean;
}
interface PredictBody {
  model: {
    version: string;
    dataset: string;
    threshold: number;
    labels: { positive: string; negative: string };
  };
  predictions: Prediction[];
  rejected: { row: number; recordId: string; code: string; reason: string }[];
  scoringMs: number;
  inputs?: { columns: string[]; values: unknown[][] };
}
interface ErrorBody {
  error: string;
  message: string;
}

const MAX_BODY = 2 * 1024 * 1024;
const MAX_ROWS = 10_000;

let bundle: OpenBundle;
let served: RunningApp;
let empty: RunningApp;

const test = toyTask(80, 99);
const rows = jsonRows(test.features);
let expected: number[];

beforeAll(async () => {
  bundle = await toyBundle();
  const scorer = new BundleScorer(toySchema());
  scorer.serve(bundle, '7');
  served = await startHttpApp(scorer, { maxRows: MAX_ROWS, maxBodyBytes: MAX_BODY });
  empty = await startHttpApp(new BundleScorer(toySchema()));
  expected = Array.from(bundle.scoreFrame(test.features));
});

afterAll(async () => {
  await served?.close();
  await empty?.close();
  bundle?.free();
});

async function post(
  app: RunningApp,
  body: NonNullable<RequestInit['body']>,
  contentType?: string,
  query = '',
): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${app.base}/predict${query}`, {
    method: 'POST',
    body,
    ...(contentType === undefined ? {} : { headers: { 'content-type': contentType } }),
  });
  return { status: res.status, body: await res.json() };
}

function upload(text: string, name = 'flows.csv', type = 'text/csv', field = 'file'): FormData {
  const form = new FormData();
  form.append(field, new Blob([text], { type }), name);
  return form;
}

/** The response is one prediction per row, in order, with the scores `scoreFrame` gives the same rows. */
function expectScoredLikeScoreFrame(res: { status: number; body: unknown }): PredictBody {
  expect(res.status).toBe(200);
  const body = res.body as PredictBody;
  expect(body.model).toEqual({
    version: '7',
    dataset: 'toy',
    threshold: 0.5,
    labels: { positive: 'attack', negative: 'normal' },
  });
  expect(body.rejected).toEqual([]);
  expect(body.predictions.map((p) => p.row)).toEqual(rows.map((_, i) => i));
  expect(body.predictions.map((p) => p.recordId)).toEqual(rows.map((r) => r['recordId']));
  expect(body.predictions.map((p) => p.score)).toEqual(expected);
  for (const p of body.predictions) {
    expect(p.isPositive).toBe(p.score >= 0.5);
    expect(p.label).toBe(p.isPositive ? 'attack' : 'normal');
  }
  expect(typeof body.scoringMs).toBe('number');
  return body;
}

describe('POST /predict', () => {
  it('the toy rows hold both classes, so the label checks below can fail', () => {
    expect(expected.some((s) => s >= 0.5)).toBe(true);
    expect(expected.some((s) => s < 0.5)).toBe(true);
  });

  it('scores a JSON array of rows exactly as scoreFrame scores the same rows', async () => {
    expectScoredLikeScoreFrame(await post(served, JSON.stringify(rows), 'application/json'));
  });

  it('scores { "records": [...] } the same', async () => {
    expectScoredLikeScoreFrame(await post(served, JSON.stringify({ records: rows }), 'application/json'));
  });

  it('scores a CSV body the same (cells sent as text, converted by the schema)', async () => {
    expectScoredLikeScoreFrame(await post(served, toCsv(rows), 'text/csv; charset=utf-8'));
  });

  it('scores a multipart CSV upload the same, and a CSV with a byte-order mark and CRLF lines', async () => {
    expectScoredLikeScoreFrame(await post(served, upload(toCsv(rows))));
    const windows = `\uFEFF${toCsv(rows).replace(/\n/g, '\r\n')}`;
    expectScoredLikeScoreFrame(await post(served, upload(windows)));
  });

  it('scores an uploaded .json file of rows the same', async () => {
    expectScoredLikeScoreFrame(
      await post(served, upload(JSON.stringify(rows), 'rows.json', 'application/json')),
    );
  });

  it('lists rows the record checks refuse, by their index, and scores the others', async () => {
    const mixed = rows.slice(0, 6).map((r) => ({ ...r }));
    mixed[1] = { ...mixed[1]!, a: 'not-a-number' };
    delete mixed[3]!['b'];
    const res = await post(served, JSON.stringify(mixed), 'application/json');
    expect(res.status).toBe(200);
    const body = res.body as PredictBody;
    expect(body.rejected.map((r) => [r.row, r.recordId, r.code])).toEqual([
      [1, 'r1', 'WRONG_TYPE'],
      [3, 'r3', 'MISSING_FEATURE'],
    ]);
    expect(body.predictions.map((p) => p.row)).toEqual([0, 2, 4, 5]);
    expect(body.predictions.map((p) => p.score)).toEqual([0, 2, 4, 5].map((i) => expected[i]));
  });

  it('echoes the first N input columns when asked (echo=N), as sent', async () => {
    const csv = await post(served, toCsv(rows), 'text/csv', '?echo=2');
    const inputs = (csv.body as PredictBody).inputs!;
    expect(inputs.columns).toEqual(['a', 'b']);
    expect(inputs.values[5]).toEqual(
      [rows[5]!['a'], rows[5]!['b']].map((v) => (v === null ? '' : String(v))),
    );
    const json = await post(served, JSON.stringify(rows), 'application/json', '?echo=5');
    expect((json.body as PredictBody).inputs!.columns).toEqual(['a', 'b', 'proto']);
    expect((json.body as PredictBody).inputs!.values[0]).toEqual([
      rows[0]!['a'],
      rows[0]!['b'],
      rows[0]!['proto'],
    ]);
    expect((await post(served, JSON.stringify(rows), 'application/json')).body).not.toHaveProperty('inputs');
    const bad = await post(served, JSON.stringify(rows), 'application/json', '?echo=lots');
    expect(bad.status).toBe(400);
    expect((bad.body as ErrorBody).error).toBe('BAD_QUERY');
  });

  it('answers 503 NO_MODEL while no model is loaded', async () => {
    for (const res of [
      await post(empty, JSON.stringify(rows), 'application/json'),
      await post(empty, upload(toCsv(rows))),
    ]) {
      expect(res.status).toBe(503);
      expect(res.body).toEqual({
        error: 'NO_MODEL',
        message: expect.stringMatching(/no .*model/i) as unknown,
      });
    }
  });

  it('answers 400 with the reason for malformed JSON', async () => {
    const cases: [string, string, RegExp][] = [
      ['{"records": [', 'MALFORMED_JSON', /not valid JSON/],
      ['{"rows": []}', 'MALFORMED_JSON', /array of row objects/],
      ['[{"a": 1}, 7]', 'MALFORMED_JSON', /row 1 is number/],
      ['[]', 'NO_ROWS', /no rows/],
    ];
    for (const [text, code, reason] of cases) {
      const res = await post(served, text, 'application/json');
      expect(res.status, text).toBe(400);
      expect((res.body as ErrorBody).error, text).toBe(code);
      expect((res.body as ErrorBody).message, text).toMatch(reason);
    }
  });

  it('answers 400 with the reason for a malformed CSV, as a body or an upload', async () => {
    const cases: [string, RegExp][] = [
      ['a,b,proto\n1,2,tcp\n3,4\n', /Invalid Record Length.*line 3/],
      ['a,b,proto\n1,"2,tcp\n', /Quote Not Closed/],
      ['a,a,proto\n1,2,tcp\n', /names column 'a' twice/],
    ];
    for (const [text, reason] of cases) {
      for (const res of [await post(served, text, 'text/csv'), await post(served, upload(text))]) {
        expect(res.status, text).toBe(400);
        expect((res.body as ErrorBody).error, text).toBe('MALFORMED_CSV');
        expect((res.body as ErrorBody).message, text).toMatch(reason);
      }
    }
    const headerOnly = await post(served, 'a,b,proto\n', 'text/csv');
    expect(headerOnly.status).toBe(400);
    expect((headerOnly.body as ErrorBody).error).toBe('NO_ROWS');
  });

  it('answers 400 for an upload in another field, and 415 for a body that is neither JSON nor CSV', async () => {
    const wrongField = await post(served, upload(toCsv(rows), 'flows.csv', 'text/csv', 'data'));
    expect(wrongField.status).toBe(400);
    expect((wrongField.body as ErrorBody).message).toMatch(/field 'file'/);
    const xml = await post(served, '<rows/>', 'application/xml');
    expect(xml.status).toBe(415);
    expect((xml.body as ErrorBody).error).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it(`accepts ${MAX_ROWS} rows (a body far over Express's default 100 KiB) and refuses one more with 413`, async () => {
    const many = jsonRows(toyTask(MAX_ROWS + 1, 5).features);
    const atLimit = many.slice(0, MAX_ROWS);
    const ok = await post(served, JSON.stringify(atLimit), 'application/json');
    expect(JSON.stringify(atLimit).length).toBeGreaterThan(100 * 1024);
    expect(ok.status).toBe(200);
    expect((ok.body as PredictBody).predictions).toHaveLength(MAX_ROWS);
    for (const res of [
      await post(served, JSON.stringify(many), 'application/json'),
      await post(served, toCsv(many), 'text/csv'),
      await post(served, upload(toCsv(many))),
    ]) {
      expect(res.status).toBe(413);
      expect((res.body as ErrorBody).error).toBe('TOO_MANY_ROWS');
      expect((res.body as ErrorBody).message).toMatch(`at most ${MAX_ROWS}`);
    }
  });

  it('refuses a body or an uploaded file over the byte limit with 413', async () => {
    const padding = 'x'.repeat(MAX_BODY);
    const big = JSON.stringify([{ ...rows[0], note: padding }]);
    for (const res of [
      await post(served, big, 'application/json'),
      await post(served, `a,b,proto,note\n1,2,tcp,${padding}\n`, 'text/csv'),
      await post(served, upload(`a,b,proto,note\n1,2,tcp,${padding}\n`)),
    ]) {
      expect(res.status).toBe(413);
      expect((res.body as ErrorBody).error).toBe('BODY_TOO_LARGE');
      expect((res.body as ErrorBody).message).toMatch(`${MAX_BODY} bytes`);
    }
  });
});

describe('OpenAPI and the page', () => {
  it('serves the OpenAPI document at /docs-json, describing POST /predict in its three forms', async () => {
    const res = await fetch(`${served.base}/docs-json`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as {
      openapi: string;
      paths: Record<string, Record<string, { requestBody: { content: object }; responses: object }>>;
      components: { schemas: Record<string, unknown> };
    };
    expect(doc.openapi).toMatch(/^3\./);
    const predict = doc.paths['/predict']!['post']!;
    expect(Object.keys(predict.requestBody.content).sort()).toEqual([
      'application/json',
      'multipart/form-data',
      'text/csv',
    ]);
    expect(Object.keys(predict.responses).sort()).toEqual(['200', '400', '413', '415', '503']);
    expect(Object.keys(doc.components.schemas)).toEqual(
      expect.arrayContaining(['PredictResponseDto', 'RowPredictionDto', 'RowRejectionDto', 'PredictRowDto']),
    );
    expect(doc.paths).not.toHaveProperty('/');
  });

  it('serves Swagger UI at /docs from local assets', async () => {
    const page = await fetch(`${served.base}/docs`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toMatch(/swagger-ui/);
    const script = /src="([^"]*swagger-ui-bundle\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    // Relative to the page URL /docs, as a browser resolves it.
    const asset = await fetch(new URL(script!, `${served.base}/docs`));
    expect(asset.status).toBe(200);
  });

  it('serves the analyst page at / as HTML with a restrictive Content-Security-Policy', async () => {
    const res = await fetch(`${served.base}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('content-security-policy')).toMatch(/default-src 'none'.*script-src 'sha256-/);
    const html = await res.text();
    expect(html).toMatch(/<input type="file" id="file"/);
    // Self-contained: nothing loaded from elsewhere (the favicon is an empty data: URL).
    expect(html).not.toMatch(/<(script|link|img)[^>]+(src|href)="(?!data:)/);
  });
});
