/** Platform constants on disk: `<lab dir>/platform.json`, written by `migcost lab calibrate`. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Platform } from '../model/types.js';
import { InputError } from '../units.js';

export function loadPlatform(path: string | undefined, labDir: string): Partial<Platform> {
  const file = path ?? join(labDir, 'platform.json');
  if (!existsSync(file)) {
    if (path) throw new InputError('--platform', path, 'does not exist');
    return {};
  }
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new InputError('--platform', file, `is not JSON (${(e as Error).message})`);
  }
  const p = ((doc as { platform?: unknown }).platform ?? doc) as Record<string, unknown>;
  const out: Partial<Platform> = {};
  for (const k of ['setupSec', 'resumeSec', 'lineRateBytesPerSec', 'stopCopyRateBytesPerSec', 'firstTouchRateBytesPerSec', 'zeroPageWireBytes', 'rateWindowSec', 'syncSec'] as const) {
    const v = p[k];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'number' || !(v >= 0)) throw new InputError(`platform.${k}`, v, 'must be a number >= 0');
    out[k] = v;
  }
  return out;
}

/** Writes fitted platform constants where loadPlatform reads them, with when, on how many migrations and whose. */
export function savePlatformFile(path: string, fit: { migrations: number; host: string; platform: Partial<Platform> }): void {
  writeFileSync(path, `${JSON.stringify({ fittedAt: new Date().toISOString(), ...fit }, null, 2)}\n`);
}
