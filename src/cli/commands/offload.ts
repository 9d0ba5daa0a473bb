import { Command } from 'commander';
import Table from 'cli-table3';
import { predict } from '../../model/index.js';
import type { WirelessEnergyModel } from '../../model/index.js';
import { predictInputFrom } from '../../input.js';
import { decideOffload } from '../../plan/offload.js';
import { InputError, parseDuration, parseNumber, formatBytes, formatSeconds } from '../../units.js';
import { addPredictFlags, fieldsFromFlags } from './predict.js';
import { exitWithError } from '../errors.js';

/** Watts with or without the unit: "2W", "350mW", "0.2". */
export function parseWatts(field: string, value: unknown): number {
  const m = /^\s*([0-9]*\.?[0-9]+(?:e[-+]?\d+)?)\s*(mW|W|kW)?\s*$/i.exec(String(value ?? ''));
  if (!m) throw new InputError(field, value, 'must be a power >= 0, e.g. 2W or 350mW');
  const unit = (m[2] ?? 'W').toLowerCase();
  return unit === 'mw' ? Number(m[1]) / 1000 : unit === 'kw' ? Number(m[1]) * 1000 : Number(m[1]);
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
    .requiredOption('--remaining <time>', 'work left, in time running on the device, e.g. 10min')
    .requiredOption('--run-power <W>', 'device power running the VM, above idle, e.g. 2W')
    .option('--wait-power <W>', 'device power while the server runs it, above idle', '0.1W')
    .option('--speedup <x>', 'how much faster the server runs it', '1')
    .option('--json', 'print JSON')
    .action((o: Record<string, unknown>) => {
      try {
        const fields = fieldsFromFlags(o);
        if (fields.policy === undefined) fields.policy = 'qemu';
        fields.energy = 'wireless';
        const input = predictInputFrom(fields);
        const migration = predict(input);
        const d = decideOffload({
          migration,
          radio: input.energy as WirelessEnergyModel,
          rateBytesPerSec: input.bandwidthBytesPerSec,
          runWatts: parseWatts('--run-power', o.runPower),
          waitWatts: parseWatts('--wait-power', o.waitPower),
          remainingSec: parseDuration('--remaining', o.remaining),
          speedup: parseNumber('--speedup', o.speedup, { min: Number.MIN_VALUE }),
        });
        if (o.json) {
          process.stdout.write(`${JSON.stringify({ ...d, breakEvenRemainingSec: Number.isFinite(d.breakEvenRemainingSec) ? d.breakEvenRemainingSec : null, migration })}\n`);
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
        exitWithError(e);
      }
    });
}
