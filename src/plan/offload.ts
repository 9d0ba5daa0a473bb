/**
 * Liu's wireless case: offload a VM from a mobile device to a server only when the device energy it saves
 * exceeds what migrating it over the radio costs (Liu 2011 §4.2, the AWGN/Shannon energy per bit). Pure.
 *
 * During pre-copy the VM keeps running on the device, so the work left after the move is T_rem - T_mig.
 *   stay:    E_stay    = P_run * T_rem
 *   offload: E_offload = P_run * min(T_mig, T_rem) + E_radio + P_wait * max(0, T_rem - T_mig) / s
 * with E_radio = E_b(R) * bits sent (the migration's predicted bytes), s the server's speed-up (the device
 * waits, radio idle, until the result is back). Offload iff E_offload < E_stay. The break-even remaining
 * time (offloading pays from there on) is T* = T_mig + E_radio / (P_run - P_wait / s) when P_run > P_wait / s.
 */
import { wirelessEnergyJoules } from '../model/energy.js';
import type { Prediction, WirelessEnergyModel } from '../model/types.js';

export interface OffloadInput {
  /** The migration over the wireless link, predicted (bytes and time). */
  migration: Pick<Prediction, 'transferredBytes' | 'totalTimeSec' | 'converged'>;
  /** Radio model and the rate the migration is sent at (bytes/s). */
  radio: WirelessEnergyModel;
  rateBytesPerSec: number;
  /** Device power spent running the VM (W, above its idle draw). */
  runWatts: number;
  /** Device power while it waits for the offloaded work (W, above idle). */
  waitWatts: number;
  /** Work left, in seconds of running on the device. */
  remainingSec: number;
  /** How much faster the server runs it. Default 1. */
  speedup?: number;
}

export interface OffloadDecision {
  offload: boolean;
  stayJoules: number;
  offloadJoules: number;
  radioJoules: number;
  /** Remaining work above which offloading saves energy (Infinity: never). */
  breakEvenRemainingSec: number;
  why: string;
}

/**
 * @example decideOffload({ migration: { transferredBytes: 1e6, totalTimeSec: 1, converged: true },
 *   radio: { kind: 'wireless', channelBandwidthHz: 1e6, noiseDensityWattsPerHz: 1e-9 }, rateBytesPerSec: 125000,
 *   runWatts: 2, waitWatts: 0.2, remainingSec: 60 }) // radio 8e6 bits x 1e-9 J = 0.008 J: offload
 */
export function decideOffload(i: OffloadInput): OffloadDecision {
  const s = i.speedup ?? 1;
  for (const [k, v] of [['runWatts', i.runWatts], ['waitWatts', i.waitWatts], ['remainingSec', i.remainingSec]] as const) {
    if (!(Number.isFinite(v) && v >= 0)) throw new RangeError(`decideOffload: ${k} must be a finite number >= 0`);
  }
  if (!(s > 0 && Number.isFinite(s))) throw new RangeError('decideOffload: speedup must be a finite number > 0');
  if (!(i.rateBytesPerSec > 0)) throw new RangeError('decideOffload: rateBytesPerSec must be > 0');
  const tMig = i.migration.totalTimeSec;
  const radioJoules = wirelessEnergyJoules(i.radio, i.migration.transferredBytes, i.rateBytesPerSec);
  const stayJoules = i.runWatts * i.remainingSec;
  const offloadJoules = i.runWatts * Math.min(tMig, i.remainingSec) + radioJoules + (i.waitWatts * Math.max(0, i.remainingSec - tMig)) / s;
  const margin = i.runWatts - i.waitWatts / s;
  const breakEvenRemainingSec = margin > 0 ? tMig + radioJoules / margin : Infinity;
  if (!i.migration.converged) {
    return { offload: false, stayJoules, offloadJoules, radioJoules, breakEvenRemainingSec, why: 'the migration is predicted not to converge over this link' };
  }
  const offload = offloadJoules < stayJoules;
  const why = offload
    ? `saves ${(stayJoules - offloadJoules).toFixed(3)} J (radio ${radioJoules.toFixed(3)} J)`
    : i.remainingSec <= tMig
      ? 'the work ends before the migration would'
      : margin <= 0
        ? 'waiting for the server costs the device as much as running the VM'
        : `the radio costs ${radioJoules.toFixed(3)} J, more than the ${(i.runWatts * i.remainingSec - i.runWatts * tMig - (i.waitWatts * (i.remainingSec - tMig)) / s).toFixed(3)} J saved`;
  return { offload, stayJoules, offloadJoules, radioJoules, breakEvenRemainingSec, why };
}
