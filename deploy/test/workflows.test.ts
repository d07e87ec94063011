import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot, run, tool } from './tools';

// .github/workflows pass actionlint (github.com/rhysd/actionlint: syntax, expressions, action inputs).

describe('GitHub Actions workflows', () => {
  it('pass actionlint', () => {
    const r = run(tool('actionlint'), ['-no-color']);
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('would fail actionlint with a broken expression (the check is real)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'netsentry-actions-'));
    cpSync(join(repoRoot, '.github'), join(dir, '.github'), { recursive: true });
    const ci = join(dir, '.github/workflows/ci.yml');
    writeFileSync(ci, readFileSync(ci, 'utf8').replace('${{ github.ref }}', '${{ github.nope( }}'));
    const r = run(tool('actionlint'), ['-no-color', '.github/workflows/ci.yml'], { cwd: dir });
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('ci.yml');
  });

  it('deploy and roll back with kubectl rollout, the model with netsentry rollback', () => {
    const deploy = readFileSync(join(repoRoot, '.github/workflows/deploy.yml'), 'utf8');
    expect(deploy).toContain('kubectl apply -k deploy/k8s/overlays/prod');
    expect(deploy).toContain('rollout status');
    const rollback = readFileSync(join(repoRoot, '.github/workflows/rollback.yml'), 'utf8');
    expect(rollback).toContain('rollout undo');
    expect(rollback).toContain('netsentry.js "${args[@]}"');
  });
});
