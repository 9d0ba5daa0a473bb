/** The lab's working folder (guest images, platform.json, decide.jsonl): $MIGCOST_LAB_DIR, else `<repo>/.lab`. */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export function labDir(): string {
  return process.env.MIGCOST_LAB_DIR ?? join(REPO, '.lab');
}
