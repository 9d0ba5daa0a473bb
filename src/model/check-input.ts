/** The model's own checks of its input: a RangeError naming the field and the rule. Pure. */
import type { Platform, PredictInput, VmSpec } from './types.js';

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
  if (vm.dirtRateSpread !== undefined && !(vm.dirtRateSpread >= 0 && vm.dirtRateSpread <= 2)) {
    throw new RangeError(`predict: vm.dirtRateSpread must be in [0, 2] (got ${vm.dirtRateSpread})`);
  }
  if (vm.dirtPhases !== undefined) {
    const p = vm.dirtPhases;
    if (!(p.quietShare > 0 && p.quietShare < 1) || !(p.quietFactor >= 0 && Number.isFinite(p.quietFactor)) || !(p.quietRunSec >= 0 && Number.isFinite(p.quietRunSec))) {
      throw new RangeError(`predict: vm.dirtPhases needs quietShare in (0, 1), quietFactor >= 0 and quietRunSec >= 0 (got ${JSON.stringify(p)})`);
    }
    const f = p.quietFactors;
    if (f !== undefined && !(Array.isArray(f) && f.length >= 1 && f.length <= 64 && f.every((x) => typeof x === 'number' && x >= 0 && Number.isFinite(x)))) {
      throw new RangeError(`predict: vm.dirtPhases.quietFactors must be 1 to 64 numbers >= 0 (got ${JSON.stringify(f)})`);
    }
  }
  if (vm.throttleResponse !== undefined) {
    const r = vm.throttleResponse;
    if (!(r.throttle > 0 && r.throttle < 1) || !(r.dirtShare >= 0 && r.dirtShare <= 1)) {
      throw new RangeError(`predict: vm.throttleResponse needs throttle in (0, 1) and dirtShare in [0, 1] (got ${JSON.stringify(r)})`);
    }
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


/** Throws a RangeError naming the first field of a prediction's input that breaks its rule (`platform`: merged with the defaults). */
export function checkInput(input: PredictInput, platform: Platform): void {
  const { vm, policy } = input;
  checkVm(vm);
  checkFinite('bandwidthBytesPerSec', input.bandwidthBytesPerSec, 0, true);
  if (input.platform) {
    checkFinite('platform.setupSec', platform.setupSec, 0, false);
    checkFinite('platform.resumeSec', platform.resumeSec, 0, false);
    if (!(platform.lineRateBytesPerSec > 0)) throw new RangeError('predict: platform.lineRateBytesPerSec must be > 0');
    if (!(platform.stopCopyRateBytesPerSec > 0)) throw new RangeError('predict: platform.stopCopyRateBytesPerSec must be > 0');
    if (!(platform.firstTouchRateBytesPerSec > 0)) throw new RangeError('predict: platform.firstTouchRateBytesPerSec must be > 0');
    checkFinite('platform.rateWindowSec', platform.rateWindowSec, 0, true);
    checkFinite('platform.zeroPageWireBytes', platform.zeroPageWireBytes, 0, false);
    checkFinite('platform.syncSec', platform.syncSec, 0, false);
    if (platform.stopCopyBufferedBytes !== undefined) checkFinite('platform.stopCopyBufferedBytes', platform.stopCopyBufferedBytes, 0, false);
    if (platform.postcopyPushRateBytesPerSec !== undefined) checkFinite('platform.postcopyPushRateBytesPerSec', platform.postcopyPushRateBytesPerSec, 0, true);
  }
  const a = input.adaptiveRate;
  if (a) {
    checkFinite('adaptiveRate.deltaBytesPerSec', a.deltaBytesPerSec, 0, false);
    checkFinite('adaptiveRate.minBytesPerSec', a.minBytesPerSec, 0, true);
    checkFinite('adaptiveRate.maxBytesPerSec', a.maxBytesPerSec, a.minBytesPerSec, false);
  }
  if (policy.downtimeLimitSec !== undefined) checkFinite('policy.downtimeLimitSec', policy.downtimeLimitSec, 0, true);
  if (policy.thresholdBytes !== undefined) checkFinite('policy.thresholdBytes', policy.thresholdBytes, 0, false);
  if (policy.freshDirt !== undefined && policy.freshDirt !== 'pool' && policy.freshDirt !== 'age') {
    throw new RangeError(`predict: policy.freshDirt must be pool or age (got ${JSON.stringify(policy.freshDirt)})`);
  }
  if (policy.maxRounds !== undefined && !(Number.isInteger(policy.maxRounds) && policy.maxRounds >= 1)) {
    throw new RangeError(`predict: policy.maxRounds must be a whole number >= 1 (got ${policy.maxRounds})`);
  }
}
