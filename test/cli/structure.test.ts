/**
 * The CLI's shape: option values are parsed by commander before a command runs (units into SI, lists into
 * arrays), a bad value exits 2 naming its flag, and records load from JSON Lines files through the library.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { program } from '../../src/cli/main.js';
import { durationArg, listArg, parsedOption, rateArg, sizeArg } from '../../src/cli/options.js';
import { appendRecord, loadRecords, readRecordsFile } from '../../src/record/load.js';
import { InputError } from '../../src/units.js';
import type { MigrationRecord } from '../../src/record/record.js';

const MAIN = new URL('../../src/cli/main.ts', import.meta.url).href;

/** Runs the CLI from source in a child process (no build needed); exit code and stderr. */
function cli(args: string[]) {
  const code = `import(${JSON.stringify(MAIN)}).then((m) => m.main(['node', 'migcost', ...JSON.parse(process.argv[1])]))`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', code, JSON.stringify(args)], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** A command with `opt`, parsed from `argv`; the options the action received. */
function parse(opt: ReturnType<typeof parsedOption>, argv: string[]): Record<string, unknown> {
  let got: Record<string, unknown> = {};
  new Command('t').addOption(opt).action((o) => (got = o)).parse(argv, { from: 'user' });
  return got;
}

describe('option parsers', () => {
  it('turn units into SI values, with the default parsed and shown as typed', () => {
    assert.deepEqual(parse(parsedOption('--memory <size>', 'm', sizeArg('--memory'), '256MiB'), []), { memory: 256 * 2 ** 20 });
    assert.deepEqual(parse(parsedOption('--memory <size>', 'm', sizeArg('--memory'), '256MiB'), ['--memory', '1GiB']), { memory: 2 ** 30 });
    assert.deepEqual(parse(parsedOption('--bw <rate>', 'b', rateArg('--bw')), ['--bw', '1Gbit/s']), { bw: 1.25e8 });
    assert.deepEqual(parse(parsedOption('--t <time>', 't', durationArg('--t')), ['--t', '300ms']), { t: 0.3 });
    assert.deepEqual(listArg(' a.jsonl, ,b.jsonl '), ['a.jsonl', 'b.jsonl']);
    assert.match(parsedOption('--memory <size>', 'guest memory', sizeArg('--memory'), '256MiB').defaultValueDescription ?? '', /^"256MiB"$/);
  });

  it('throw an InputError naming the flag', () => {
    assert.throws(() => parse(parsedOption('--memory <size>', 'm', sizeArg('--memory')), ['--memory', '4 furlongs']), (e) => e instanceof InputError && e.field === '--memory');
  });

  it('every command and subcommand of the CLI is there', () => {
    const names = (c: Command, p = ''): string[] => c.commands.flatMap((s) => [`${p}${s.name()}`, ...names(s, `${p}${s.name()} `)]);
    assert.deepEqual(names(program()), [
      'predict', 'advise', 'sample', 'lab', 'lab run', 'lab matrix', 'lab report', 'lab calibrate', 'lab decide', 'history', 'history import', 'history export', 'evaluate',
      'calibrate', 'models', 'plan', 'offload', 'simulate', 'execute', 'watch', 'inventory', 'serve', 'agent',
    ]);
  });
});

describe('a bad option value exits 2 and names the flag', () => {
  for (const [args, flag] of [
    [['lab', 'report', '--results', 'x.jsonl', '--folds', 'many'], '--folds'],
    [['lab', 'run', '--memory', '32MiB', '--no-save'], '--memory'],
    [['lab', 'decide', '--capacity-share', '1.5', '--from', 'x.jsonl'], '--capacity-share'],
    [['simulate', '--scale', '0'], '--scale'],
    [['offload', '--memory', '1GiB', '--dirty-rate', '1MiB/s', '--bandwidth', '20Mbit/s', '--remaining', 'soon', '--run-power', '2W'], '--remaining'],
  ] as const) {
    it(args.slice(0, 2).join(' '), () => {
      const r = cli([...args]);
      assert.equal(r.code, 2, r.err);
      assert.match(r.err, new RegExp(`^migcost: ${flag}: `));
    });
  }

  it('a missing --results file is named by its flag, in lab decide --from too', () => {
    assert.match(cli(['history', 'export', '--results', '/nonexistent/r.jsonl']).err, /^migcost: --results: "\/nonexistent\/r\.jsonl" does not exist/);
    assert.match(cli(['lab', 'decide', '--from', '/nonexistent/d.jsonl']).err, /^migcost: --from: "\/nonexistent\/d\.jsonl" does not exist/);
  });
});

describe('record loading (src/record/load.ts)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'migcost-load-'));
  const rec = (id: string) => ({ id, startedAt: '2026-01-01T00:00:00Z' }) as unknown as MigrationRecord;

  it('appends JSON lines and reads them back in order, files in the order given', async () => {
    const a = join(dir, 'sub', 'a.jsonl');
    appendRecord(a, rec('1'));
    appendRecord(a, rec('2'));
    const b = join(dir, 'b.jsonl');
    writeFileSync(b, `${JSON.stringify(rec('3'))}\n\n`);
    assert.deepEqual(readRecordsFile(a).map((r) => r.id), ['1', '2']);
    assert.deepEqual((await loadRecords({ files: [b, a] })).map((r) => r.id), ['3', '1', '2']);
    assert.deepEqual(await loadRecords({ files: [] }), []);
  });

  it('names the field and the line that is not JSON', () => {
    const bad = join(dir, 'bad.jsonl');
    writeFileSync(bad, `${JSON.stringify(rec('1'))}\nnot json\n`);
    assert.throws(() => readRecordsFile(bad, '--from'), (e) => e instanceof InputError && e.field === '--from' && /bad\.jsonl:2/.test(e.message));
  });
});
