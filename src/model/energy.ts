/**
 * Energy of a migration (Liu 2011 §4). Joules throughout.
 */
import type { EnergyModel, WiredEnergyModel, WirelessEnergyModel } from './types.js';

const MIB = 1024 * 1024;

/** Liu's fit for wired links, source and destination together: alpha 0.512 J/MiB, beta 20.165 J (R^2 0.993). */
export const LIU_WIRED_ENERGY: Readonly<WiredEnergyModel> = Object.freeze({ kind: 'wired', alphaJoulesPerMiB: 0.512, betaJoules: 20.165 });

/**
 * A default wireless channel: 20 MHz, and N0 = kT at 290 K (-174 dBm/Hz = 3.98e-21 W/Hz) raised by a
 * 100 dB path loss, i.e. 3.98e-11 W/Hz referred to the transmitter. Stated, not measured: set your own.
 */
export const DEFAULT_WIRELESS_ENERGY: Readonly<WirelessEnergyModel> = Object.freeze({
  kind: 'wireless',
  channelBandwidthHz: 20e6,
  noiseDensityWattsPerHz: 3.98e-21 * 1e10,
});

/**
 * Wired migration energy E = alpha * V + beta, V in MiB (Liu eq. 15).
 * @example wiredEnergyJoules(LIU_WIRED_ENERGY, 1024 * 2**20) // 0.512 * 1024 + 20.165 = 544.453 J
 */
export function wiredEnergyJoules(m: WiredEnergyModel, transferredBytes: number): number {
  return m.alphaJoulesPerMiB * (transferredBytes / MIB) + m.betaJoules;
}

/**
 * Energy per bit on an AWGN channel at rate R (bit/s) over bandwidth B (Hz), from Shannon's capacity:
 * E_b = N0 (2^(R/B) - 1) / (R/B) joules per bit. Its limit as R -> 0 is N0 ln 2.
 * @example energyPerBitJoules(1e-20, 1e6, 1e6) // 1e-20 * (2 - 1) / 1 = 1e-20 J
 */
export function energyPerBitJoules(noiseDensityWattsPerHz: number, rateBitsPerSec: number, channelBandwidthHz: number): number {
  if (!(channelBandwidthHz > 0)) throw new RangeError('energyPerBitJoules: channelBandwidthHz must be > 0');
  if (!(noiseDensityWattsPerHz >= 0)) throw new RangeError('energyPerBitJoules: noiseDensityWattsPerHz must be >= 0');
  if (!(rateBitsPerSec >= 0)) throw new RangeError('energyPerBitJoules: rateBitsPerSec must be >= 0');
  const eta = rateBitsPerSec / channelBandwidthHz; // spectral efficiency, bit/s/Hz
  if (eta < 1e-9) return noiseDensityWattsPerHz * Math.LN2;
  // expm1 keeps precision for small eta: 2^eta - 1 = expm1(eta ln 2)
  return (noiseDensityWattsPerHz * Math.expm1(eta * Math.LN2)) / eta;
}

/** Wireless migration energy: E_b at the transmission rate times the bits sent. */
export function wirelessEnergyJoules(m: WirelessEnergyModel, transferredBytes: number, rateBytesPerSec: number): number {
  return energyPerBitJoules(m.noiseDensityWattsPerHz, rateBytesPerSec * 8, m.channelBandwidthHz) * transferredBytes * 8;
}

/** Energy of a migration under either model; the rate matters only for the wireless one. */
export function migrationEnergyJoules(m: EnergyModel, transferredBytes: number, rateBytesPerSec: number): number {
  return m.kind === 'wired' ? wiredEnergyJoules(m, transferredBytes) : wirelessEnergyJoules(m, transferredBytes, rateBytesPerSec);
}
