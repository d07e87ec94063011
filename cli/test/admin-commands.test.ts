import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AdminCommand } from '../src/admin-command';
import { adminCommand, requester } from '../src/admin-command';
import { buildProgram } from '../src/main';

// The admin commands without Kafka: what each command line publishes, and what the help says.

let published: AdminCommand[];
let printed: string;

beforeEach(() => {
  published = [];
  printed = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    printed += String(chunk);
    return true;
  });
  process.exitCode = undefined;
});

afterEach(() => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
});

/** Runs `netsentry <args>` with commander's exits turned into exceptions and errors captured. */
async function run(...args: string[]): Promise<{ error: string }> {
  const program = buildProgram((command) => {
    published.push(command);
    return Promise.resolve();
  });
  let error = '';
  for (const c of [program, ...program.commands]) {
    c.exitOverride().configureOutput({
      writeErr: (s) => (error += s),
      writeOut: (s) => (printed += s),
    });
  }
  await program.parseAsync(['node', 'netsentry', ...args]).catch(() => undefined);
  return { error };
}

describe('netsentry rollback', () => {
  it('without --to asks for the previous production version', async () => {
    await run('rollback', '--reason', 'v42 flags too many benign sites');
    expect(published).toHaveLength(1);
    expect(published[0]).toMatchObject({
      command: 'ROLLBACK',
      targetModelVersion: null,
      reason: 'v42 flags too many benign sites',
      datasetName: null,
    });
    expect(printed).toContain(`ROLLBACK sent: command ${published[0]!.envelope.eventId}, to the previous`);
    expect(process.exitCode).toBe(0);
  });

  it('--to names the version; the reason has a default', async () => {
    await run('rollback', '--to', 'm-20260102030405-1a2b3c4d');
    expect(published[0]).toMatchObject({
      command: 'ROLLBACK',
      targetModelVersion: 'm-20260102030405-1a2b3c4d',
      reason: 'requested from the CLI',
    });
    expect(printed).toContain('to m-20260102030405-1a2b3c4d');
  });

  it('--dataset names whose production goes back', async () => {
    await run('rollback', '--dataset', 'nsl-kdd');
    expect(published[0]).toMatchObject({
      command: 'ROLLBACK',
      targetModelVersion: null,
      datasetName: 'nsl-kdd',
    });
    expect(printed).toContain('to the previous production version of nsl-kdd');
    const { error } = await run('rollback', '--dataset', 'NSL KDD');
    expect(error).toMatch(/expected a dataset name/);
    expect(published).toHaveLength(1);
  });

  it('refuses something that is not a model version, publishing nothing', async () => {
    const { error } = await run('rollback', '--to', '../etc/passwd');
    expect(error).toMatch(/expected a model version/);
    expect(published).toEqual([]);
  });

  it('explains what happens and when it is refused', async () => {
    await run('rollback', '--help');
    expect(printed).toMatch(/Usage: netsentry rollback \[options\]/);
    expect(printed).toMatch(/--to <version>/);
    expect(printed).toMatch(/--dataset <name>/);
    expect(printed).toMatch(/refused when more than one dataset has a\s+production model/);
    expect(printed).toMatch(/previous\s+production\s+version/);
    expect(printed).toMatch(/is\s+refused:\s+production\s+stays\s+as\s+it\s+is/);
  });
});

describe('netsentry promote', () => {
  it('publishes PROMOTE of the named version', async () => {
    await run('promote', 'm-20260102030405-1a2b3c4d', '--reason', 'false positives fixed upstream');
    expect(published).toHaveLength(1);
    expect(published[0]).toMatchObject({
      command: 'PROMOTE',
      targetModelVersion: 'm-20260102030405-1a2b3c4d',
      reason: 'false positives fixed upstream',
    });
    expect(printed).toContain('m-20260102030405-1a2b3c4d to production (of its dataset)');
  });

  it('needs a version', async () => {
    const { error } = await run('promote');
    expect(error).toMatch(/missing required argument 'version'/);
    expect(published).toEqual([]);
  });

  it('says which versions can be promoted', async () => {
    await run('promote', '--help');
    expect(printed).toMatch(/Usage: netsentry promote \[options\] <version>/);
    expect(printed).toMatch(
      /accepted\s+by\s+the\s+evaluator\s+at\s+some\s+point\s+\(status\s+accepted,\s+pushed\s+or\s+retired\)/,
    );
  });
});

describe('admin commands', () => {
  it('are requested by $USER, or by "operator" when it is unset', () => {
    expect(requester({ USER: 'alice' })).toBe('alice');
    expect(requester({})).toBe('operator');
    expect(requester({ USER: '  ' })).toBe('operator');
    const command = adminCommand({ command: 'RETRAIN', reason: 'weekly' }, { USER: 'bob' });
    expect(command).toMatchObject({ requestedBy: 'bob', targetModelVersion: null, datasetName: null });
    expect(command.envelope.producer.service).toBe('cli');
  });

  it('say in the help that they are signed, and when a RETRAIN is refused', async () => {
    await run('retrain', '--help');
    expect(printed).toMatch(/signed with\s+NETSENTRY_ADMIN_SECRET/);
    expect(printed).toMatch(/run in progress is refused\s+\(RUN_IN_PROGRESS\)/);
  });

  it('retrain goes out the same way', async () => {
    await run('retrain', '--dataset', 'nsl-kdd');
    expect(published[0]).toMatchObject({
      command: 'RETRAIN',
      datasetName: 'nsl-kdd',
      targetModelVersion: null,
    });
  });
});
