import { Command } from 'commander';
import Table from 'cli-table3';
import { predict } from '../../../model/index.js';
import type { WirelessEnergyModel } from '../../../model/index.js';
import { predictInputFrom } from '../../../input.js';
import { decideOffload } from '../../../plan/offload.js';
import { InputError } from '../../../units.js';
import { formatBytes, formatSeconds } from '../../render/format.js';
import { durationArg, numberArg, parsedOption, wattsArg } from '../../options.js';
import { addPredictFlags, fieldsFromFlags, namedForFlags, refuseIdleFlags, type PredictFieldFlags } from '../predict/flags.js';
import { roundForJson } from '../../../rounding.js';
import { exitWithError } from '../../errors.js';

/** The options of `migcost offload`: those of `predict` (parsed by its fieldsFromFlags), and its own. */
export interface OffloadFlags extends PredictFieldFlags {
  remaining: number;
  runPower: number;
  waitPower: number;
  speedup: number;
  json?: true;
}

/**
 * `migcost offload`: Liu's wireless case. Predicts the migration of the VM over the radio link (its
 * `--bandwidth`), prices its bits with the AWGN/Shannon energy per bit, and offloads only when the device
 * energy saved exceeds that.
 */
export function offloadCommand(): Command {
  return addPredictFlags(
    new Command('offload').description("offload a VM from a mobile device only when the energy it saves exceeds its wireless migration energy (Liu's model)"),
  )
    .addOption(parsedOption('--remaining <time>', 'work left, in time running on the device, e.g. 10min', durationArg('--remaining')).makeOptionMandatory())
    .addOption(parsedOption('--run-power <W>', 'device power running the VM, above idle, e.g. 2W', wattsArg('--run-power')).makeOptionMandatory())
    .addOption(parsedOption('--wait-power <W>', 'device power while the server runs it, above idle', wattsArg('--wait-power'), '0.1W'))
    .addOption(parsedOption('--speedup <x>', 'how much faster the server runs it', numberArg('--speedup', { min: Number.MIN_VALUE }), '1'))
    .option('--json', 'print JSON')
    .action((o: OffloadFlags) => {
      try {
        const fields = fieldsFromFlags(o);
        if (fields.policy === undefined) fields.policy = 'qemu';
        if (fields.energy === 'wired') throw new InputError('--energy', 'wired', 'is not for offload, which prices the radio link with the wireless model');
        fields.energy = 'wireless';
        refuseIdleFlags(Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)));
        const input = predictInputFrom(fields);
        const migration = predict(input);
        const d = decideOffload({
          migration,
          radio: input.energy as WirelessEnergyModel,
          rateBytesPerSec: input.bandwidthBytesPerSec,
          runWatts: o.runPower,
          waitWatts: o.waitPower,
          remainingSec: o.remaining,
          speedup: o.speedup,
        });
        if (o.json) {
          process.stdout.write(`${JSON.stringify(roundForJson({ ...d, breakEvenRemainingSec: Number.isFinite(d.breakEvenRemainingSec) ? d.breakEvenRemainingSec : null, migration }))}\n`);
          return;
        }
        const t = new Table({ style: { head: [], border: [] } });
        t.push(
          ['decision', d.offload ? 'OFFLOAD' : 'stay on the device'],
          ['why', d.why],
          ['migration', `${formatSeconds(migration.totalTimeSec)}, ${formatBytes(migration.transferredBytes)} over the radio${migration.converged ? '' : ' (does not converge)'}`],
          ['radio energy', `${d.radioJoules.toPrecision(4)} J`],
          ['device energy if it stays', `${d.stayJoules.toPrecision(4)} J`],
          ['device energy if offloaded', `${d.offloadJoules.toPrecision(4)} J`],
          ['offloading pays from', Number.isFinite(d.breakEvenRemainingSec) ? `${formatSeconds(d.breakEvenRemainingSec)} of work left` : 'never'],
        );
        process.stdout.write(`${t.toString()}\n`);
      } catch (e) {
        exitWithError(namedForFlags(e));
      }
    });
}
