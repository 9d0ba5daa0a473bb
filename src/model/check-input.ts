/** The model's own checks of its input: a RangeError naming the field and the rule. Pure. */
import type { VmSpec } from './types.js';

/** Throws unless `v` is a finite number above `min` (or at least `min` when not `strict`). */
export function checkFinite(name: string, v: number, min: number, strict: boolean): void {
  if (!(typeof v === 'number' && Number.isFinite(v) && (strict ? v > min : v >= min))) {
    throw new RangeError(`predict: ${name} must be a finite number ${strict ? '>' : '>='} ${min} (got ${v})`);
  }
}

/** Throws a RangeError naming the first field of a VM spec that breaks its rule. */
export function checkVm(vm: VmSpec): void {
  checkFinite('vm.memoryBytes', vm.memoryBytes, 0, true);
  checkFinite('vm.dirtyRateBytesPerSec', vm.dirtyRateBytesPerSec, 0, false);
  if (vm.zeroPageFraction !== undefined && !(vm.zeroPageFraction >= 0 && vm.zeroPageFraction <= 1)) {
    throw new RangeError(`predict: vm.zeroPageFraction must be in [0, 1] (got ${vm.zeroPageFraction})`);
  }
  if (vm.pageSizeBytes !== undefined) checkFinite('vm.pageSizeBytes', vm.pageSizeBytes, 0, true);
  if (vm.workingSetBytes !== undefined) checkFinite('vm.workingSetBytes', vm.workingSetBytes, 0, false);
  if (vm.cpuUtilisation !== undefined && !(vm.cpuUtilisation > 0 && vm.cpuUtilisation <= 1)) {
    throw new RangeError(`predict: vm.cpuUtilisation must be in (0, 1] (got ${vm.cpuUtilisation})`);
  }
  if (vm.dirtyZeroShare !== undefined && !(vm.dirtyZeroShare >= 0 && vm.dirtyZeroShare < 1)) {
    throw new RangeError(`predict: vm.dirtyZeroShare must be in [0, 1) (got ${vm.dirtyZeroShare})`);
  }
  if (vm.dirtDispersion !== undefined && !(vm.dirtDispersion >= 0 && vm.dirtDispersion <= 10)) {
    throw new RangeError(`predict: vm.dirtDispersion must be in [0, 10] (got ${vm.dirtDispersion})`);
  }
  if (vm.layout !== undefined) {
    const { nonZeroPages: nz, hotPages: hot } = vm.layout;
    if (!Array.isArray(nz) || !Array.isArray(hot) || nz.length !== hot.length || nz.length === 0) {
      throw new RangeError('predict: vm.layout.nonZeroPages and vm.layout.hotPages must be non-empty arrays of the same length');
    }
    for (const [name, arr] of [['nonZeroPages', nz], ['hotPages', hot]] as const) {
      const i = arr.findIndex((x) => !(typeof x === 'number' && Number.isFinite(x) && x >= 0));
      if (i >= 0) throw new RangeError(`predict: vm.layout.${name}[${i}] must be a finite number >= 0 (got ${arr[i]})`);
    }
  }
}

