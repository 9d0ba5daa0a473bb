/**
 * POST /v1/simulate's work, in a worker thread: CloudSim's power-aware consolidation over a PlanetLab day
 * (simulateCluster) with a per-step timeline that counts the migrations (and their modelled bytes, downtime
 * and energy) started at each scheduling step (not the candidates a cost-aware selection only priced).
 * Each worker keeps the last three days it loaded.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { simulateCluster } from '../../sim/engine.js';
import { cloudsimPlanetLabPreset, CLOUDSIM_HOSTS, type PlanetLabTrace } from '../../sim/presets.js';
import { SIM_DETECTOR_DEFAULTS, type SimDetector } from '../../sim/detectors.js';
import type { SimSelection } from '../../sim/selection.js';
import type { MigrationPricer } from '../../sim/pricer.js';
import { loadPlanetLabDay, DEFAULT_PLANETLAB_ARCHIVE, type FileOrder } from '../../sim/planetlab-loader.js';
import { readTar } from '../../sim/ustar.js';
import type { SimulationConfig } from '../../sim/types.js';
import { HttpError } from '../errors.js';
import { scaledTraces, withMemorySource, pricerFor, simulationExtras, type SimulateOptions } from '../routes/simulate-options.js';

export interface SimulateBody extends SimulateOptions {
  day: string;
  detector?: SimDetector;
  selection?: SimSelection;
  param?: number;
  seed?: number;
  vms?: number;
  hosts?: number;
}

export interface TimelineStep {
  step: number;
  timeSec: number;
  migrations: number;
  transferredBytes: number;
  downtimeSec: number;
  energyJoules: number;
}

const INTERVAL_SEC = 300;
const cache = new Map<string, PlanetLabTrace[]>();
let knownDays: { source: string; days: string[] } | undefined;

/** The days a trace source holds (folder names of eight digits), sorted; [] when it cannot be read. */
export function planetLabDays(source: string): string[] {
  if (knownDays?.source === source) return knownDays.days;
  const days = new Set<string>();
  try {
    const names = statSync(source).isDirectory() ? readdirSync(source) : [...readTar(gunzipSync(readFileSync(source)))].flatMap((e) => e.path.split('/'));
    for (const n of names) if (/^\d{8}$/.test(n)) days.add(n);
  } catch {
    // no traces on this server: the list stays empty
  }
  knownDays = { source, days: [...days].sort() };
  return knownDays.days;
}

function traces(source: string, day: string, order: FileOrder = 'tar'): PlanetLabTrace[] {
  const key = order === 'tar' ? day : `${day}|${order}`;
  let t = cache.get(key);
  if (t) return t;
  const days = planetLabDays(source);
  if (!days.includes(day)) {
    throw new HttpError(400, `day: ${day} is not a day of the PlanetLab traces on this server (${days.length ? `known: ${days.join(', ')}` : 'this server has none'})`, 'day');
  }
  t = loadPlanetLabDay(source, day, order);
  if (cache.size >= 3) cache.delete(cache.keys().next().value as string);
  cache.set(key, t);
  return t;
}

export function runSimulation(b: SimulateBody, tracesPath?: string): { inputs: Record<string, unknown>; result: unknown; timeline: TimelineStep[]; wallSec: number } {
  const detector = b.detector ?? 'thr';
  const all = traces(tracesPath ?? DEFAULT_PLANETLAB_ARCHIVE, b.day, b.fileOrder);
  const picked = scaledTraces(b.vms === undefined ? all : all.slice(0, b.vms), b, b.seed ?? 1);
  const hosts = (b.scale ?? 1) * (b.hosts ?? (b.vms === undefined ? CLOUDSIM_HOSTS : Math.max(1, Math.ceil((CLOUDSIM_HOSTS * Math.min(b.vms, all.length)) / Math.max(1, all.length)))));
  const timeline: TimelineStep[] = [];
  let cur: TimelineStep = { step: 0, timeSec: 0, migrations: 0, transferredBytes: 0, downtimeSec: 0, energyJoules: 0 };
  const pricer: MigrationPricer = pricerFor(b);
  // only migrations the simulation starts: a cost-aware selection also prices candidates it does not move
  const onMigration: NonNullable<SimulationConfig['onMigration']> = ({ price }) => {
    cur.migrations++;
    if (!price) return;
    cur.transferredBytes += price.transferredBytes;
    cur.downtimeSec += price.downtimeSec;
    cur.energyJoules += price.energyJoules;
  };
  const started = performance.now();
  let result;
  try {
    const cluster = cloudsimPlanetLabPreset(picked, hosts);
    result = simulateCluster({
      ...cluster,
      vms: withMemorySource(cluster.vms, b, b.seed ?? 1, tracesPath),
      detector,
      detectorParam: b.param ?? SIM_DETECTOR_DEFAULTS[detector],
      selection: b.selection ?? 'mmt',
      seed: b.seed ?? 1,
      intervalSec: INTERVAL_SEC,
      pricer,
      onMigration,
      ...simulationExtras(b),
      onStep: (done) => {
        timeline.push(cur);
        cur = { step: done, timeSec: done * INTERVAL_SEC, migrations: 0, transferredBytes: 0, downtimeSec: 0, energyJoules: 0 };
      },
    });
  } catch (e) {
    if (e instanceof RangeError || e instanceof TypeError) throw new HttpError(400, `hosts: ${e.message}`, 'hosts', { cause: e });
    throw e;
  }
  // every input the run used, defaults filled in, so the answer alone says how to repeat it
  const inputs = {
    day: b.day, detector, detectorParam: b.param ?? SIM_DETECTOR_DEFAULTS[detector], selection: b.selection ?? 'mmt',
    objective: b.objective ?? 'sla', consolidation: b.consolidation ?? 'utilisation', migrationModel: b.migrationModel ?? 'cloudsim',
    pricer: b.pricer ?? 'one-rate', ...(b.dirtyRateAtFullCpu !== undefined ? { dirtyRateAtFullCpu: b.dirtyRateAtFullCpu } : {}),
    memorySource: b.memorySource ?? 'vm-type', fileOrder: b.fileOrder ?? 'tar', scale: b.scale ?? 1, seed: b.seed ?? 1,
    vms: picked.length, hosts, baseline: b.baseline ?? null,
  };
  return { inputs, result, timeline, wallSec: (performance.now() - started) / 1000 };
}
