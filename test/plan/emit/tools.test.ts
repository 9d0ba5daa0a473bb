/**
 * The emitted commands and manifests against the real tools: `virsh` (libvirt-clients) parses every emitted
 * argument array against libvirt's test driver; the emitted `openstack` script runs the real client
 * (python3-openstackclient) against a fake Nova API in this process, which records what Nova would be asked;
 * the KubeVirt YAML is read back by PyYAML (python3-yaml, a dependency of the client) and validated with ajv
 * against kubevirt.schema.json. scripts/test-all.sh installs the packages; without them these tests FAIL.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, writeFileSync, readFileSync, chmodSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { Ajv } from 'ajv';
import { virshSteps } from '../../../src/plan/emit/virsh.js';
import { kubevirtObjects } from '../../../src/plan/emit/kubevirt.js';
import { renderKubevirt, renderOpenstack, renderVirsh, shellQuote, toYaml } from '../../../src/cli/render/emit.js';
import { action, ADVISED } from './fixtures.js';

function need(cmd: string, pkg: string): void {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  assert.equal(r.status, 0, `${cmd} is not installed: install Debian's ${pkg} (scripts/test-all.sh does)`);
}

const EVIL = 'a; rm -rf / $(touch pwned) `id` "x" \'y\'';
const ACTIONS = [
  action(),
  action({ vm: 'pc', technique: { autoConverge: false, postcopy: true }, names: { domain: EVIL, server: EVIL, vmi: 'pc', namespace: 'prod' } }),
  action({ vm: 'plain', reason: 'consolidation', technique: { autoConverge: false, postcopy: false }, bandwidthBytesPerSec: 64 * 2 ** 20, predicted: { transferredBytes: 1 } }),
];

/** The argv with the values of `flag` replaced. */
function withValue(argv: readonly string[], flag: string, value: string): string[] {
  const out = [...argv];
  const i = out.indexOf(flag);
  assert.ok(i > 0, `no ${flag} in ${argv.join(' ')}`);
  out[i + 1] = value;
  return out;
}

/**
 * Runs virsh and returns what it printed. When the migration thread fails at once, virsh 11's wait for the
 * job sometimes never returns (about 1 run in 3 against the test driver, seen here): a run that has not
 * returned in 4 s is killed and retried, up to 10 times.
 */
function virsh(argv: readonly string[]): string {
  assert.equal(argv[0], 'virsh');
  for (let attempt = 0; attempt < 10; attempt++) {
    const r = spawnSync('virsh', argv.slice(1), { encoding: 'utf8', timeout: 4000, killSignal: 'SIGKILL' });
    if ((r.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT') continue;
    assert.equal(r.error, undefined, `virsh ${argv.join(' ')}: ${r.error?.message}`);
    return `${r.stdout}${r.stderr}`;
  }
  assert.fail(`virsh ${argv.join(' ')} never returned in 10 tries`);
}

const PARSE_ERRORS = /doesn't support option|is required by option|malformed or out of range|expected syntax|unexpected data|command or command group/;

describe('emitted virsh commands parse in the real virsh', () => {
  before(() => need('virsh', 'libvirt-clients'));
  it('every option of every step: names, flag dependencies and numbers (libvirt test driver, domain `test`)', () => {
    for (const a of ACTIONS) {
      const [down, mig] = virshSteps(a).map((s) => withValue(s.argv, '-c', 'test:///default'));
      // migrate-setmaxdowntime: options parsed, the call reached the driver (which cannot migrate)
      assert.match(virsh(withValue(down, '--domain', 'test')), /not supported by the connection driver: virDomainMigrateSetMaxDowntime/);
      // migrate: virsh checks option names, their dependencies and --timeout before opening the destination,
      // so an unopenable destination shows everything before it was accepted...
      const a1 = virsh(withValue(withValue(mig, '--domain', 'test'), '--desturi', 'test:///migcost-no-such-file.xml'));
      assert.doesNotMatch(a1, PARSE_ERRORS);
      assert.match(a1, /Failed to open file '\/migcost-no-such-file\.xml'/);
      // ...and --bandwidth is read after: with a real destination the call reaches the driver, which does not migrate
      assert.match(virsh(withValue(withValue(mig, '--domain', 'test'), '--desturi', 'test:///default')), /not supported by the connection driver: virDomainMigrate3/);
    }
  });
  it('the checks can fail: a misspelt flag, a fractional bandwidth, post-copy-after-precopy alone', () => {
    const mig = withValue(withValue(virshSteps(action())[1].argv, '-c', 'test:///default'), '--domain', 'test');
    assert.match(virsh(mig.map((x) => (x === '--auto-converge' ? '--auto-convergence' : x))), /doesn't support option --auto-convergence/);
    assert.match(virsh(withValue(withValue(mig, '--bandwidth', '1.5'), '--desturi', 'test:///default')), /malformed or out of range/);
    assert.match(virsh([...mig, '--postcopy-after-precopy'].filter((x) => x !== '--auto-converge')), /Option --postcopy is required/);
  });
  it('a hostile domain name reaches virsh as one argument, through the rendered shell script too', () => {
    const mig = withValue(virshSteps(ACTIONS[1])[1].argv, '-c', 'test:///default');
    assert.match(virsh(mig), new RegExp(`failed to get domain '${EVIL.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}'`));
    // the script, run by sh with a stub virsh that records its argv, hands over exactly the arrays
    const dir = mkdtempSync(join(tmpdir(), 'migcost-emit-'));
    mkdirSync(join(dir, 'bin'));
    writeFileSync(join(dir, 'bin', 'virsh'), '#!/bin/sh\nprintf \'%s\\0\' "$@" >> "$OUT"\nprintf \'\\036\\0\' >> "$OUT"\n');
    chmodSync(join(dir, 'bin', 'virsh'), 0o755);
    writeFileSync(join(dir, 'plan.sh'), renderVirsh(ACTIONS));
    const r = spawnSync('sh', [join(dir, 'plan.sh')], { cwd: dir, encoding: 'utf8', env: { ...process.env, PATH: `${join(dir, 'bin')}:${process.env.PATH}`, OUT: join(dir, 'argv') } });
    assert.equal(r.status, 0, r.stderr);
    const calls = readFileSync(join(dir, 'argv'), 'utf8').split('\u001e\0').filter(Boolean).map((c) => c.split('\0').slice(0, -1));
    assert.deepEqual(calls, ACTIONS.flatMap((a) => virshSteps(a).map((s) => s.argv.slice(1))));
    assert.equal(spawnSync('ls', [join(dir, 'pwned')]).status !== 0, true, 'the script ran the command substitution in a name');
  });
  it('shellQuote: sh reads back any string (without NUL) as one word', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }).filter((s) => !s.includes('\0')), (s) => {
        const r = spawnSync('sh', ['-c', `printf '%s' ${shellQuote(s)}`], { encoding: 'utf8' });
        assert.equal(r.stdout, s);
      }),
      { numRuns: 60, seed: 21 },
    );
  });
});

describe('emitted openstack commands run in the real client against a fake Nova', () => {
  let server: Server;
  let port = 0;
  const posted: { server: string; body: unknown; version: string | undefined }[] = [];
  const ids = new Map<string, string>();
  before(async () => {
    need('openstack', 'python3-openstackclient');
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        const u = new URL(req.url ?? '/', 'http://nova');
        res.setHeader('content-type', 'application/json');
        const m = /^\/servers\/([^/]+)(\/action)?$/.exec(u.pathname);
        if (req.method === 'GET' && u.pathname === '/servers') {
          const name = u.searchParams.get('name') ?? '';
          if (!ids.has(name)) ids.set(name, `id-${ids.size + 1}`);
          res.end(JSON.stringify({ servers: [{ id: ids.get(name), name }] }));
        } else if (m && req.method === 'GET' && [...ids.values()].includes(decodeURIComponent(m[1]))) {
          res.end(JSON.stringify({ server: { id: m[1], name: [...ids].find(([, v]) => v === m[1])![0], status: 'ACTIVE' } }));
        } else if (m && m[2] && req.method === 'POST') {
          posted.push({ server: [...ids].find(([, v]) => v === m[1])?.[0] ?? `?${m[1]}`, body: JSON.parse(body), version: req.headers['openstack-api-version'] as string | undefined });
          res.statusCode = 202;
          res.end();
        } else {
          res.statusCode = 404;
          res.end(JSON.stringify({ itemNotFound: { code: 404, message: 'not found' } }));
        }
      });
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    port = (server.address() as { port: number }).port;
  });
  after(() => server?.close());
  it('the script live-migrates each server, found by its (hostile) name, to the planned compute host', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'migcost-emit-'));
    writeFileSync(join(dir, 'plan.sh'), renderOpenstack(ACTIONS));
    // the client runs while this process serves the fake API: spawn, not spawnSync
    const code = await new Promise<number | null>((done) => {
      const p = spawn('sh', [join(dir, 'plan.sh')], { cwd: dir, env: { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('OS_'))), OS_AUTH_TYPE: 'none', OS_ENDPOINT: `http://127.0.0.1:${port}` }, stdio: ['ignore', 'ignore', 'inherit'] });
      p.on('close', done);
    });
    assert.equal(code, 0);
    assert.deepEqual(
      posted.map((p) => [p.server, p.body, p.version]),
      ACTIONS.map((a) => [a.names.server, { 'os-migrateLive': { host: a.destination.computeHost, block_migration: 'auto' } }, 'compute 2.30']),
    );
    assert.equal(spawnSync('ls', [join(dir, 'pwned')]).status !== 0, true);
  });
  it('the client refuses a misspelt option (the check can fail)', () => {
    const r = spawnSync('openstack', ['--os-auth-type', 'none', '--os-endpoint', 'http://127.0.0.1:9', 'server', 'migrate', '--live-migrate', 'x'], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /unrecognized arguments|invalid choice|ambiguous/);
  });
});

function pyYaml(text: string): unknown[] {
  const r = spawnSync('python3', ['-c', 'import sys, json, yaml; print(json.dumps(list(yaml.safe_load_all(sys.stdin))))'], { input: text, encoding: 'utf8' });
  assert.equal(r.status, 0, `PyYAML (python3-yaml) could not read it: ${r.stderr}`);
  return JSON.parse(r.stdout) as unknown[];
}

describe('emitted KubeVirt manifests', () => {
  const schema = JSON.parse(readFileSync(new URL('./kubevirt.schema.json', import.meta.url), 'utf8')) as object;
  const validate = new Ajv({ allErrors: true, strict: true }).compile(schema);
  it('read back by PyYAML as the objects, each valid against the schema restated from KubeVirt\'s API', () => {
    const docs = pyYaml(renderKubevirt(ACTIONS));
    const { policies, moves } = kubevirtObjects(ACTIONS);
    assert.deepEqual(docs, [...policies, ...moves.map((m) => m.migration)]);
    assert.equal(docs.length, 3 + 3); // three distinct sets of settings, three moves
    for (const d of docs) assert.ok(validate(d), JSON.stringify(validate.errors));
  });
  it('the schema can fail: a misspelt field, a non-quantity bandwidth, an upper-case name', () => {
    const { policies, moves } = kubevirtObjects(ACTIONS);
    const bad = [
      { ...moves[0].migration, spec: { vmName: 'db1' } },
      { ...policies[0], spec: { ...policies[0].spec, bandwidthPerMigration: '200 MiB/s' } },
      { ...moves[0].migration, metadata: { name: 'Migcost-1', namespace: 'prod' } },
    ];
    for (const b of bad) assert.equal(validate(b), false, JSON.stringify(b));
  });
  it('toYaml: PyYAML reads back any JSON value', () => {
    const values = fc.sample(fc.jsonValue({ stringUnit: 'binary', maxDepth: 4 }), { numRuns: 300, seed: 21 }).map((v) => JSON.parse(JSON.stringify(v)) as unknown);
    assert.deepEqual(pyYaml(values.map((v) => toYaml(v)).join('---\n')), values);
  });
});

describe('advised techniques (plan --advise --emit) against the real tools', () => {
  before(() => need('virsh', 'libvirt-clients'));
  it('every advised technique\'s virsh migrate parses: names, flag dependencies and numbers', () => {
    for (const a of ADVISED) {
      const [, mig] = virshSteps(a).map((s) => withValue(withValue(s.argv, '-c', 'test:///default'), '--domain', 'test'));
      const out = virsh(withValue(mig, '--desturi', 'test:///migcost-no-such-file.xml'));
      assert.doesNotMatch(out, PARSE_ERRORS, `${a.technique.advised!.label}: ${mig.join(' ')}`);
      assert.match(out, /Failed to open file '\/migcost-no-such-file\.xml'/, `${a.technique.advised!.label}: ${out}`);
      // with a real destination the numbers are read and the call reaches the test driver, which migrates nothing (and
      // takes no extended parameters: post-copy bandwidth, compression, parallel connections)
      assert.match(virsh(withValue(mig, '--desturi', 'test:///default')), /not supported by the connection driver: virDomainMigrate3|Migration APIs with extensible parameters are not supported/, a.technique.advised!.label);
    }
  });
  it('the numbers are checked (the check can fail): a connection count, a cache size and a post-copy bandwidth that are not whole', () => {
    const at = (a: (typeof ADVISED)[number]) => withValue(withValue(withValue(virshSteps(a)[1].argv, '-c', 'test:///default'), '--domain', 'test'), '--desturi', 'test:///default');
    assert.match(virsh(withValue(at(ADVISED[6]), '--parallel-connections', 'x')), /malformed or out of range/);
    assert.match(virsh(withValue(at(ADVISED[4]), '--comp-xbzrle-cache', '1.5')), /malformed or out of range/);
    assert.match(virsh(withValue(at(ADVISED[3]), '--postcopy-bandwidth', '-3')), /malformed or out of range/);
  });
  it('the KubeVirt objects of advised moves are valid against the schema', () => {
    const schema = JSON.parse(readFileSync(new URL('./kubevirt.schema.json', import.meta.url), 'utf8')) as object;
    const validate = new Ajv({ allErrors: true, strict: true }).compile(schema);
    const docs = pyYaml(renderKubevirt(ADVISED));
    const { policies, moves } = kubevirtObjects(ADVISED);
    assert.deepEqual(docs, [...policies, ...moves.map((m) => m.migration)]);
    for (const d of docs) assert.ok(validate(d), JSON.stringify(validate.errors));
  });
});
