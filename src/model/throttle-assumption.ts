/**
 * What an auto-converge prediction rests on that the sample did not measure. Without a throttle probe the model
 * cuts a throttled guest's dirt by its vCPU load (throttle-response.ts: a guest needing a share u of its vCPU
 * keeps (1 - p) / u of its dirt at throttle p): right for a writer bound by its CPU or one that drops what it
 * could not write, wrong for one paced by the clock that catches up after every pause — its dirt is hardly cut
 * (issue 18: such a writer never converged in 150 s at 99 %, and in our lab 8 of 24 runs did). Nothing in an
 * unthrottled sample tells the two apart; `sample --throttle-probe` does. So where the verdict hangs on it — the
 * migration converges by the load rule and would not if the guest caught up in full — the prediction says so.
 * Pure.
 */
import { simulate } from './precopy.js';
import type { Prediction, PredictInput } from './types.js';

/** How a full catch-up reads as a measured response: no cut at a probe's throttle (throttle-response.ts). */
export const FULL_CATCH_UP = { throttle: 0.95, dirtShare: 1 } as const;

/**
 * The prior share of paced writers (vCPU load under 1) that catch up what a throttle made them miss, where no probe
 * measured it: one half, for want of evidence either way. The writers we know answer a throttle split two and two —
 * the lab's clock-paced dirtier and the issue-18 harness's small sequential writer catch up; the standard dirtier and
 * scatter (paced in ticks) are cut — and so do the verdicts that hang on it in our records: 29 of 62 such
 * migrations converged (docs/model.md, "without a measured response").
 */
export const CATCH_UP_PRIOR = 0.5;

/**
 * The assumption `p` (the prediction of `input`) rests on, in a sentence; undefined when it rests on none: not
 * auto-converge, a measured throttle response, a guest bound by its vCPU (load 1), a throttle that never went
 * past the guest's need, or the same verdict under a full catch-up.
 * @example throttleAssumption(acInput, p) // 'converges only if throttling cuts this guest's dirt as its vCPU load (9 %) says; ...'
 */
export function throttleAssumption(input: PredictInput, p: Pick<Prediction, 'converged' | 'maxThrottle'>): string | undefined {
  const ac = input.technique ? input.technique.name === 'auto-converge' : input.policy.autoConverge === true;
  if (!ac || input.policy.name !== 'qemu' || input.vm.throttleResponse || !p.converged) return undefined;
  const u = input.vm.cpuUtilisation ?? 1;
  if (!(u < 1) || !(p.maxThrottle > 1 - u)) return undefined;
  const caughtUp = simulate({ ...input, technique: undefined, trace: false, policy: { ...input.policy, autoConverge: true }, vm: { ...input.vm, throttleResponse: FULL_CATCH_UP } });
  if (caughtUp.converged) return undefined;
  const pct = (x: number) => `${Math.round(x * 100)} %`;
  return `converges only if throttling cuts this guest's dirt as its vCPU load (${pct(u)}) says, at a throttle of ${pct(p.maxThrottle)}; a writer that catches up what it missed while throttled (one paced by the clock) would not converge, and the probability weighs the two alike: measure how it answers with \`migcost sample --throttle-probe\``;
}
