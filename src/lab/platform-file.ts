/**
 * Platform constants on disk: a `lab calibrate` file (`<lab dir>/platform.json` by default for the lab), read
 * the same way by every command that takes `--platform FILE` (predict and its batch, offload, plan, the lab);
 * its content is checked by src/input.ts's parsePlatform, which the API's `platform` field goes through too.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Platform } from '../model/types.js';
import { parsePlatform } from '../input.js';
import { InputError } from '../units.js';

/** The constants in `path` (a `--platform` file). Throws InputError naming `flag` or the key at fault. */
export function readPlatformFile(path: string, flag = '--platform'): Partial<Platform> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new InputError(flag, path, code === 'ENOENT' ? 'does not exist' : code === 'EISDIR' ? 'is a folder, not a file' : `cannot be read (${(e as Error).message})`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new InputError(flag, path, `is not JSON (${(e as Error).message})`);
  }
  try {
    return parsePlatform('', doc);
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    throw new InputError(flag, path, `holds a bad constant: ${e.message}`);
  }
}

/** The lab dir's platform file for migrations driven by migcost's QMP driver, or by libvirt (a platform of its own). */
export function platformFileName(driver: 'qmp' | 'libvirt' = 'qmp'): string {
  return driver === 'libvirt' ? 'platform-libvirt.json' : 'platform.json';
}

/** `path` if given (it must exist), else the lab dir's platform file for the driver if there is one, else no constants. */
export function loadPlatform(path: string | undefined, labDir: string, driver: 'qmp' | 'libvirt' = 'qmp'): Partial<Platform> {
  if (path !== undefined) return readPlatformFile(path);
  const file = join(labDir, platformFileName(driver));
  return existsSync(file) ? readPlatformFile(file) : {};
}

/** Writes fitted platform constants where loadPlatform reads them, with when, on how many migrations and whose. */
export function savePlatformFile(path: string, fit: { migrations: number; host: string; platform: Partial<Platform> }): void {
  writeFileSync(path, `${JSON.stringify({ fittedAt: new Date().toISOString(), ...fit }, null, 2)}\n`);
}
