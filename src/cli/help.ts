/**
 * What `--help` adds to commander's: an example per command, required options marked, and (on `migcost` and the
 * commands that take units) every unit spelling accepted, from the tables of src/units.ts.
 */
import { Command, Help, type Option } from 'commander';
import { RATE_SPELLINGS, SIZE_SPELLINGS, TIME_SPELLINGS } from '../units.js';

/** One or more examples per command, by its path (`lab run`). Each must parse (test/cli/help.test.ts checks). */
export const EXAMPLES: Readonly<Record<string, readonly string[]>> = {
  '': ['migcost predict --memory 4GiB --dirty-rate 50MiB/s --bandwidth 1Gbit/s --downtime-limit 300ms'],
  predict: [
    'migcost predict --memory 4G --dirty-rate 50MiB/s --bandwidth 1Gbit/s --downtime-limit 300ms',
    'migcost predict --vm vm.json --bandwidth 100MiB/s --json --trace',
    'migcost predict --input vms.csv --bandwidth 10Gbit/s --output predictions.jsonl',
  ],
  advise: ['migcost advise --memory 8GiB --dirty-rate 200MiB/s --bandwidth 1Gbit/s --platform-timeouts nova --max-downtime 500ms'],
  sample: ['migcost sample --qmp /run/vm1.qmp --pseudo-migration --output vm.json', 'migcost sample --qmp /run/vm1.qmp --horizon 10s --json', 'migcost sample --libvirt qemu:///system --domain vm1 --json'],
  lab: ['migcost lab run --memory 256MiB --workload dirtier --bandwidth 100MiB/s'],
  'lab run': ['migcost lab run --memory 384MiB --workload dirtier --wss 96MiB --bandwidth 100MiB/s --downtime-limit 300ms'],
  'lab matrix': ['migcost lab matrix --preset standard --results lab/results/mine.jsonl', 'migcost lab matrix --preset heldout --results lab/results/heldout-pass1.jsonl', 'migcost lab matrix --preset postcopy --results lab/results/postcopy-pass1.jsonl'],
  'lab decide': ['migcost lab decide --from lab/results/decide.jsonl'],
  'lab calibrate': ['migcost lab calibrate --results lab/results/standard-pass1.jsonl --json'],
  'lab report': ['migcost lab report --results lab/results/standard-pass1.jsonl --overall'],
  history: ['migcost history export --format csv --output history.csv'],
  'history import': ['migcost history import --input fleet-log.csv --db migcost.sqlite'],
  'history export': ['migcost history export --format csv --output history.csv'],
  evaluate: ['migcost evaluate --input fleet-log.csv --folds 5 --svg evaluate.svg'],
  calibrate: ['migcost calibrate --energy energy.csv --db migcost.sqlite'],
  models: ['migcost models --db migcost.sqlite --json'],
  plan: ['migcost plan --cluster examples/cluster.json --policy moa --objective traffic --downtime-limit 300ms'],
  offload: ['migcost offload --memory 256MiB --dirty-rate 1MiB/s --bandwidth 20Mbit/s --remaining 10min --run-power 2W'],
  simulate: [
    'migcost simulate --day 20110303 --detector thr --param 0.8 --selection mmt',
    'migcost simulate --compare --days 20110303,20110306 --detector lr --migration-model migcost',
    'migcost simulate --compare --trace-dir examples/own-cluster',
  ],
  sweep: [
    'migcost sweep --days 20110303,20110306 --detectors thr,mad --params thr=0.7,thr=0.8 --policies mmt,moa:sla,optimal:sla-per-mips+co --seeds 1,2 --svg sweep.svg',
    'migcost sweep --trace-dir examples/own-cluster --policies mmt,moa --objectives traffic,sla --db postgres://migcost@db/migcost --json',
    'migcost sweep --days 20110303,20110306 --detectors thr,lr --queue postgres://migcost@db/migcost --wait',
  ],
  worker: ['migcost worker --queue postgres://migcost@db/migcost --workers 2'],
  execute: ['migcost execute --plan plan.json --targets targets.json --downtime-limit 300ms'],
  watch: [
    'migcost watch --libvirt qemu:///system --domain vm1 --platform-timeouts nova',
    'migcost watch --qmp /run/vm1-monitor.qmp --completion-timeout 10min --json',
  ],
  inventory: ['migcost inventory --libvirt h1=qemu+ssh://h1/system h2=qemu+ssh://h2/system --prometheus http://127.0.0.1:9090 --output cluster.json'],
  serve: ['migcost serve --port 8080 --db migcost.sqlite'],
  agent: ['migcost agent --qmp /run/vm1.qmp --vm-id vm1 --service http://10.0.0.1:8080 --interval 60s'],
};

/** The commands whose --help lists the unit spellings (they take sizes, rates or times). */
const UNITS_IN_HELP = new Set(['', 'predict', 'offload', 'plan', 'lab run', 'execute']);

const units = (spellings: readonly { unit: string; factor: number; meaning: string }[], test: (s: { meaning: string }) => boolean) =>
  spellings.filter(test).map((s) => s.unit).join(' ');

/** Every accepted unit spelling, as --help shows it. */
export function unitsHelp(): string {
  const bits = (s: { meaning: string }) => /bit/.test(s.meaning);
  return [
    'Units (a time or a rate needs its unit here; a plain size is bytes; case matters only for b/B in rates):',
    `  sizes   ${units(SIZE_SPELLINGS, () => true)}`,
    '          K M G T are QEMU/libvirt suffixes, binary: 4G = 4GiB; KB MB GB TB are decimal',
    `  rates   bytes/s: ${units(RATE_SPELLINGS, (s) => !bits(s))}`,
    `          bits/s:  ${units(RATE_SPELLINGS, bits)}`,
    '          lower-case b = bits, upper-case B = bytes: 1Gbps = 1Gbit/s = 125MB/s; 1GBps = 1GB/s; K/s M/s G/s T/s binary',
    `  times   ${units(TIME_SPELLINGS, () => true)}`,
  ].join('\n');
}

const help = new Help();

/** Adds the examples, the units and the required marks to `cmd` and every command under it. */
export function addHelpExtras(cmd: Command, path = ''): void {
  cmd.configureHelp({
    optionDescription: (o: Option) => `${help.optionDescription(o)}${o.mandatory ? ' [required]' : ''}`,
  });
  const examples = EXAMPLES[path];
  const extra = [examples ? `Example${examples.length > 1 ? 's' : ''}:\n${examples.map((e) => `  $ ${e}`).join('\n')}` : '', UNITS_IN_HELP.has(path) ? unitsHelp() : ''].filter(Boolean);
  if (extra.length) cmd.addHelpText('after', `\n${extra.join('\n\n')}`);
  for (const sub of cmd.commands) addHelpExtras(sub, path ? `${path} ${sub.name()}` : sub.name());
}
