/** One run of a technique preset (matrix.ts, postcopy-matrix.ts), built the same way for each. Pure. */
import type { MigrationConfig, Workload } from '../record/record.js';
import type { TechniqueOptions } from '../model/types.js';

/** A VM and its link as a technique preset lists it. */
export interface TechniqueVm {
  memoryBytes: number;
  workload: Workload;
  params: Record<string, string | number>;
  bandwidthBytesPerSec: number;
  downtimeLimitSec: number;
}

/** One technique preset run: `vm` migrated with `t` (auto-converge as the flag of its name) at `timeoutSec`. */
export function techniqueConfig(vm: TechniqueVm, t: TechniqueOptions, timeoutSec: number): MigrationConfig {
  return {
    memoryBytes: vm.memoryBytes,
    workload: vm.workload,
    params: { ...vm.params },
    bandwidthBytesPerSec: vm.bandwidthBytesPerSec,
    downtimeLimitSec: vm.downtimeLimitSec,
    autoConverge: t.name === 'auto-converge',
    timeoutSec,
    technique: { ...t },
  };
}
