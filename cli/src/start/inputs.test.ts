import { mkdtempSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveInputs } from './inputs';
import { parseExports } from './servers';

const root = resolve(__dirname, '../../..');

describe('resolveInputs', () => {
  it('defaults to the bundled phishing data and schema', async () => {
    const inputs = await resolveInputs(root, root, {});
    expect(inputs).toMatchObject({
      dataset: 'phishing',
      schemaPath: join(root, 'data/schemas/phishing.yaml'),
      dataPath: join(root, 'data/phishing.csv'),
      explicitData: false,
    });
  });

  it('takes a bundled dataset by name', async () => {
    const inputs = await resolveInputs(root, root, { dataset: 'nsl-kdd' });
    expect(inputs.dataPath).toBe(join(root, 'data/nsl-kdd/KDDTrain+.csv.gz'));
    expect(inputs.schema.name).toBe('nsl-kdd');
  });

  it("takes another dataset from its schema file, paths relative to the caller's folder", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'netsentry-inputs-'));
    copyFileSync(join(root, 'data/schemas/nsl-kdd.yaml'), join(dir, 'mine.yaml'));
    writeFileSync(join(dir, 'capture.csv'), 'x\n');
    const inputs = await resolveInputs(root, dir, { schema: 'mine.yaml', data: 'capture.csv' });
    expect(inputs).toMatchObject({
      dataset: 'nsl-kdd',
      dataPath: join(dir, 'capture.csv'),
      explicitData: true,
    });
  });

  it('refuses an unknown bundled name, a name the schema contradicts, and missing files, saying which', async () => {
    await expect(resolveInputs(root, root, { dataset: 'unsw-nb15' })).rejects.toThrow(
      /--dataset unsw-nb15 is not bundled \(bundled: phishing, nsl-kdd\); pass its --schema/,
    );
    await expect(
      resolveInputs(root, root, { dataset: 'phishing', schema: 'data/schemas/nsl-kdd.yaml' }),
    ).rejects.toThrow(/for dataset 'nsl-kdd'/);
    await expect(resolveInputs(root, root, { data: 'nope.csv' })).rejects.toThrow(/nope\.csv does not exist/);
  });
});

describe('parseExports', () => {
  it("reads the infra script's export lines", () => {
    expect(
      parseExports([
        'export A_B=1',
        "export S='x y'",
        'not an export',
        'export NETSENTRY_MONGO_URI=mongodb://h:1/',
      ]),
    ).toEqual({ A_B: '1', S: 'x y', NETSENTRY_MONGO_URI: 'mongodb://h:1/' });
  });
});
