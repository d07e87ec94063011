import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseAllDocuments, parse as parseYaml } from 'yaml';

/** The repository root (this file is deploy/test/tools.ts). */
export const repoRoot = resolve(__dirname, '../..');

/** Where deploy/tools/install links the tools. */
export const toolsBin = join(
  process.env.NETSENTRY_CACHE_DIR ?? join(homedir(), '.cache/netsentry'),
  'tools/bin',
);

export function tool(name: string): string {
  const path = join(toolsBin, name);
  if (!existsSync(path)) throw new Error(`${path} is missing: run deploy/tools/install`);
  return path;
}

export interface RunResult {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a tool to completion (no shell); never throws for a non-zero exit. */
export function run(
  command: string,
  args: readonly string[],
  options: { cwd?: string; input?: string; env?: NodeJS.ProcessEnv } = {},
): RunResult {
  const result = spawnSync(command, args, {
    cwd: options.cwd ?? repoRoot,
    input: options.input,
    env: options.env ?? process.env,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.error) throw result.error;
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

/** `kubectl kustomize <dir>` (or `kustomize build <dir>` where there is no kubectl). */
export function kustomize(dir: string): RunResult {
  const kubectl = join(toolsBin, 'kubectl');
  return existsSync(kubectl) ? run(kubectl, ['kustomize', dir]) : run(tool('kustomize'), ['build', dir]);
}

export function readYaml<T = unknown>(path: string): T {
  return parseYaml(readFileSync(resolve(repoRoot, path), 'utf8')) as T;
}

export function yamlDocuments<T = unknown>(text: string): T[] {
  return parseAllDocuments(text)
    .map((d) => d.toJS() as T)
    .filter((d) => d !== null && d !== undefined);
}
