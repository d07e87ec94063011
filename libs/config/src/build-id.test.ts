import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildVersion, readBuildId } from './build-id';

const dir = mkdtempSync(join(tmpdir(), 'build-id-'));
const file = (name: string, body: string): string => {
  const path = join(dir, name);
  writeFileSync(path, body);
  return path;
};

describe('build id', () => {
  it('is the commit, marked dirty when tracked files had changes', () => {
    const commit = 'a'.repeat(40);
    expect(buildVersion(file('clean.json', JSON.stringify({ commit, dirty: false, builtAt: 'x' })))).toBe(
      commit,
    );
    expect(buildVersion(file('dirty.json', JSON.stringify({ commit, dirty: true, builtAt: 'x' })))).toBe(
      `${commit}-dirty`,
    );
  });

  it('is absent without a file, and a malformed one says how to fix it', () => {
    expect(buildVersion(join(dir, 'none.json'))).toBeNull();
    expect(() => readBuildId(file('bad.json', '{"commit":"main"}'))).toThrow(
      /40-hex git commit .*npm run build/,
    );
  });

  it('is what scripts/write-build-id.mjs writes for this checkout', () => {
    const root = resolve(__dirname, '../../..');
    execFileSync(process.execPath, [join(root, 'scripts/write-build-id.mjs')], { cwd: root });
    const head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
    const id = readBuildId();
    expect(id?.commit).toBe(head);
    const dirty =
      execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: root, encoding: 'utf8' })
        .length > 0;
    expect(buildVersion()).toBe(dirty ? `${head}-dirty` : head);
  });
});
