/** The lab machine this process runs on, as lab records name it. */
import { cpus } from 'node:os';
import type { MigrationHost } from '../record/record.js';

/** This machine: the first CPU's model (whitespace collapsed) and the logical CPUs. */
export function labHost(): MigrationHost {
  const list = cpus();
  return { cpu: (list[0]?.model ?? 'unknown').replace(/\s+/g, ' ').trim(), cpus: list.length };
}
