/** The sampling windows (seconds) migcost uses, named once. QEMU's calc-dirty-rate takes 50 ms to 60 s. */

/** `migcost sample` and the lab: the short ones catch workloads that cover their working set in a fraction
 * of a second (what an auto-converge throttle leaves them), the long ones the saturation. */
export const FULL_WINDOWS_SEC: readonly number[] = [0.05, 0.1, 0.25, 0.5, 1, 2, 4];

/** Just before a real move (`execute`, `POST /v1/execute`), `plan --live` and the agent: about 1.3 s in all. */
export const QUICK_WINDOWS_SEC: readonly number[] = [0.05, 0.25, 1];

/**
 * `sample --horizon`: the length of each of the back-to-back page-sampling windows spread over the horizon. A
 * window averages away any phase shorter than itself, and what converges a migration is one round's dirt: near the
 * switch-over a round lasts about the downtime limit (it sends about the threshold, bandwidth x limit, at the
 * bandwidth). 0.1 s sees the phases of rounds at a 100 ms limit and longer (QEMU's default is 300 ms). Was 0.5 s
 * until stop 34: memtester's verify phases (0.1-0.4 s) were invisible at it (docs/model.md, "Phases").
 */
export const PHASE_WINDOW_SEC = 0.1;

/** The pseudo-migration's target round lengths. */
export const PSEUDO_MIGRATION_WINDOWS_SEC: readonly number[] = [1, 4];

/** How far apart the two RAM dumps of a layout start. */
export const LAYOUT_WINDOW_SEC = 1;
