/**
 * The cluster simulator: CloudSim 3.0.3's power-aware data centre, rule by rule as
 * `../shared/CLOUDSIM-NOTES.md` specifies it (written from that specification, not from CloudSim's code).
 * Discrete events: a scheduling step every interval (full update, energy, finished VMs, then
 * detect-select-place-consolidate on tentative moves that are undone, then the migrations start), and
 * migration arrivals in between. Pure: the traces come in as arrays.
 *
 * The parts, around one `SimState` (state.ts): the CPU scheduler and host updates (scheduler.ts), placement
 * by PABFD (placement.ts), the optimisation at a step (optimisation.ts, consolidation.ts), migrations
 * (migration.ts); this file runs the event loop and sums the results.
 */
import { hostEnergyJoules } from './power.js';
import { meanAndStdev } from './metrics.js';
import { findHost, firstFit } from './placement.js';
import { HostIndex } from './host-index.js';
import { optimise } from './optimisation.js';
import { arrive, startMigration, updateStarted } from './migration.js';
import { updateHost, vmCreate, vmDestroy } from './scheduler.js';
import { clampUtilisation, createState, type SimState } from './state.js';
import type { SimulationConfig, SimulationResult } from './types.js';

export { HISTORY_LENGTH } from './state.js';
export { traceUtilisation } from './scheduler.js';

/**
 * Runs the simulation to the time limit and returns Beloglazov and Buyya's figures.
 * @example simulateCluster({ ...cloudsimPlanetLabPreset(traces), detector: 'thr', detectorParam: 0.8, selection: 'mmt' })
 */
export function simulateCluster(cfg: SimulationConfig): SimulationResult {
  const s = createState(cfg);
  placeAll(s);
  runEventLoop(s);
  return summarise(s);
}

/** t = 0: every VM placed in id order, asking its full MIPS, with its RAM and bandwidth reserved. */
function placeAll(s: SimState): void {
  const cfg = s.cfg;
  const index = cfg.baseline === undefined ? new HostIndex(s) : undefined;
  for (const vm of s.vms) {
    vm.instantiating = true;
    // DVFS and NPA place by first fit in host-id order (CLOUDSIM-NOTES 3.x); the policies by PABFD
    const h = index ? findHost(s, vm, null, true, index) : firstFit(s, vm);
    if (!h) throw new RangeError(`simulateCluster: no host can take VM ${vm.id} (${cfg.vms[vm.id].name}) at creation`);
    vmCreate(h, vm);
    h.ramFreeMb -= vm.ramMb;
    h.bwFreeKbps -= vm.bwKbps;
    vm.instantiating = false;
    index?.update(h);
  }
}

/** Updates every host at t, adds the energy since the last update, destroys VMs whose work stopped. */
function fullUpdate(s: SimState, t: number): void {
  const hosts = s.hosts;
  const dt = t - s.lastProcessSec;
  // an empty idle host already recorded idle would be updated to the same state and draws no energy (0 W from
  // an idle start): skipped, which leaves every figure as it was (most hosts, once consolidation has run)
  const busy = s.busy;
  let live = 0;
  for (let id = 0; id < hosts.length; id++) {
    if (busy[id] === 0) continue;
    const h = hosts[id];
    if (h.vms.length === 0 && h.usedMips === 0 && h.schedN === 0 && h.available === h.totalMips && h.rec.idle()) {
      busy[id] = 0;
      continue;
    }
    updateHost(h, t, s.intervalSec);
    s.live[live++] = h;
  }
  if (dt > 0) {
    let frame = 0;
    if (s.cfg.baseline === 'npa') for (const h of hosts) frame += h.power[h.power.length - 1] * dt;
    else
      for (let i = 0; i < live; i++) {
        const h = s.live[i];
        frame += hostEnergyJoules(h.power, clampUtilisation(h.prevUsedMips / h.totalMips), h.utilisation(), dt);
      }
    s.energyJoules += frame;
  }
  finishVms(s, live);
  s.lastProcessSec = t;
  clearTouched(s);
}

/**
 * The full update that follows arrivals at the instant of the last one: only the hosts the arrivals touched.
 * Any other host would be updated at the same time from the same state, to the same state and records (a
 * record at the same time replaces the last one), with no energy (dt = 0) and no VM to finish.
 */
function updateTouched(s: SimState, t: number): void {
  const list = s.touchedList.sort((a, b) => a.id - b.id);
  for (let i = 0; i < list.length; i++) {
    updateHost(list[i], t, s.intervalSec);
    s.live[i] = list[i];
  }
  finishVms(s, list.length);
  clearTouched(s);
}

function clearTouched(s: SimState): void {
  for (const h of s.touchedList) s.touched[h.id] = 0;
  s.touchedList.length = 0;
}

/** Destroys, host by host (`s.live[0 .. n)`, by id), the VMs whose work stopped (not migrating, asking 0). */
function finishVms(s: SimState, n: number): void {
  for (let i = 0; i < n; i++) {
    const h = s.live[i];
    // its update saw none (VMs may only have left since): most hosts, no list to read
    if (!h.mayFinish) continue;
    const done = h.vms.filter((v) => !v.inMigration && v.request() === 0);
    for (const v of done) {
      if (v.host) vmDestroy(v.host, v);
      s.vmsFinished++;
    }
  }
}

/** A timeline point at t: cumulative energy, mean power since the last point, active hosts, migrations started. */
function pushTimeline(s: SimState, t: number, started: number): void {
  let active = 0;
  for (const h of s.hosts) if (h.usedMips > 0) active++;
  const dt = t - s.lastPointSec;
  s.timeline.push({ timeSec: t, energyKWhCumulative: s.energyJoules / 3.6e6, powerW: dt > 0 ? (s.energyJoules - s.lastPointJoules) / dt : 0, activeHosts: active, migrations: started });
  s.lastPointSec = t;
  s.lastPointJoules = s.energyJoules;
}

/** Steps every interval up to the limit, migration arrivals in between; the last timeline point at the end. */
function runEventLoop(s: SimState): void {
  const { cfg, intervalSec, limitSec } = s;
  const firstStep = 0.1 + intervalSec;
  let stepsTotal = 0;
  for (let t = firstStep; t < limitSec; t += intervalSec) stepsTotal++;
  let stepT = firstStep;
  let ai = 0;
  for (;;) {
    const nextArrival = ai < s.arrivals.length ? s.arrivals[ai].t : Infinity;
    const stepDue = stepT < limitSec;
    if (stepDue && stepT < nextArrival) {
      fullUpdate(s, stepT);
      const moves = cfg.baseline === undefined ? optimise(s) : [];
      s.stepMigrations = 0;
      for (const [vm, target] of moves) startMigration(s, vm, target, stepT);
      updateStarted(s, stepT);
      pushTimeline(s, stepT, s.stepMigrations);
      s.arrivals = s.arrivals.slice(ai).sort((a, b) => a.t - b.t || a.seq - b.seq);
      ai = 0;
      s.endSec = stepT;
      s.steps++;
      cfg.onStep?.(s.steps, stepsTotal);
      stepT += intervalSec;
      continue;
    }
    if (nextArrival === Infinity || nextArrival >= limitSec) break;
    const t = nextArrival;
    if (t > s.lastProcessSec) fullUpdate(s, t);
    while (ai < s.arrivals.length && s.arrivals[ai].t === t) arrive(s, s.arrivals[ai++]);
    updateTouched(s, t);
    s.endSec = t;
  }
  if (s.energyJoules !== s.lastPointJoules || s.timeline.length === 0) pushTimeline(s, Math.max(s.endSec, s.lastPointSec), 0);
}

/** Beloglazov and Buyya's figures from the hosts' and VMs' records (CLOUDSIM-NOTES 5). */
function summarise(s: SimState): SimulationResult {
  const cfg = s.cfg;
  let activeSec = 0;
  let violationSec = 0;
  const shutdowns: number[] = [];
  for (const h of s.hosts) {
    h.rec.finish();
    activeSec += h.rec.activeSec;
    violationSec += h.rec.violationSec;
    for (const x of h.rec.shutdownAfterSec) shutdowns.push(x);
  }
  let allocated = 0;
  let requested = 0;
  let lost = 0;
  let shortfallSum = 0;
  let shortfallCount = 0;
  for (const v of s.vms) {
    allocated += v.rec.allocatedMipsSec;
    requested += v.rec.requestedMipsSec;
    lost += v.rec.lostToMigrationMipsSec;
    shortfallSum += v.rec.shortfallSum;
    shortfallCount += v.rec.shortfallCount;
  }
  const slatah = activeSec > 0 ? violationSec / activeSec : 0;
  const pdm = requested > 0 ? lost / requested : 0;
  const energyKWh = s.energyJoules / 3.6e6;
  const sd = meanAndStdev(shutdowns);
  const migrations = s.migrations;
  return {
    hosts: s.hosts.length,
    vms: s.vms.length,
    detector: cfg.detector,
    detectorParam: cfg.detectorParam,
    selection: cfg.selection,
    energyKWh,
    migrations,
    slatah,
    pdm,
    slav: slatah * pdm,
    esv: energyKWh * slatah * pdm,
    overallSlaViolation: requested > 0 ? (requested - allocated) / requested : 0,
    averageSlaViolation: shortfallCount > 0 ? shortfallSum / shortfallCount : 0,
    hostShutdowns: shutdowns.length,
    meanTimeBeforeShutdownSec: sd.mean,
    stdevTimeBeforeShutdownSec: sd.stdev,
    meanMigrationTimeSec: migrations > 0 ? s.migrationSecSum / migrations : 0,
    vmsFinished: s.vmsFinished,
    steps: s.steps,
    endSec: s.endSec,
    ...(s.pricer ? { migrationCost: s.cost } : {}),
    migrationModel: s.migrationModel,
    timeline: s.timeline,
  };
}
