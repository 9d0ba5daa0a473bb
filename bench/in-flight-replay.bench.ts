/**
 * watch's accuracy replayed offline on recorded libvirt-driven runs: its re-predictions at every recorded poll with
 * QEMU's rate alone and with the pre-migration sample's curve, scored like `lab report --in-flight` (error of the
 * predicted total time at 25/50/75 % of the real one, false alarms, warning lead on time-outs).
 *
 * Records that kept watch's inputs (`inFlight[].input`) are replayed on them. Older ones (libvirt-pass2) kept only
 * the re-predictions, so their inputs are REBUILT from the per-round trace, approximately: the pass boundaries are
 * placed on the job's clock from the poll that first saw pass 2 (the first recorded re-prediction with a known rate)
 * less the first round's length; within a pass the bytes sent and the pending bytes are taken as linear in time;
 * QEMU's dirty rate as the last round's dirt over its length; the throttle as the trace says, or, in records made
 * before migrate.ts read libvirt's auto_converge_throttle key (all 0), QEMU's schedule replayed on the trace's passes
 * (their auto-converge runs are also scored apart). The replay with QEMU's rate is printed beside the recorded
 * figures as a check of the rebuild.
 *
 * Run: node --import tsx bench/in-flight-replay.bench.ts [results.jsonl ...] (default lab/results/libvirt-pass2.jsonl)
 */
import { readFileSync } from 'node:fs';
import type { InFlightInput, MigrationRecord } from '../src/record/record.js';
import { replayInFlight, scoreInFlight, type InFlightScore } from '../src/evaluate/in-flight-eval.js';
import { expectedCheckIntervalSec } from '../src/model/qemu-timing.js';

function rebuild(r: MigrationRecord): { elapsedSec: number; input: InFlightInput }[] | undefined {
  const pts = r.inFlight;
  if (!pts || pts.length === 0 || r.measured.status !== 'completed') return undefined;
  const pre = r.trace.filter((t) => t.kind === 'pre-copy');
  const mem = r.config.memoryBytes;
  const firstKnown = pts.find((p) => p.rateKnown);
  // The job-clock time of the poll that first saw pass 1.
  let e1: number;
  if (firstKnown && pre.length > 0) {
    const guess = firstKnown.elapsedSec - pre[0].durationSec;
    e1 = pts.reduce((best, p) => (Math.abs(p.elapsedSec - guess) < Math.abs(best - guess) ? p.elapsedSec : best), pts[0].elapsedSec);
  } else {
    const p = pts.find((x) => x.totalTimeSec !== null);
    if (!p) return undefined;
    e1 = p.elapsedSec;
  }
  const end = r.measured.totalTimeSec - r.measured.downtimeSec;
  const stop = r.trace.find((t) => t.kind === 'stop-copy');
  const segs: { start: number; dur: number; bytes: number; pending: number; rate: number; throttle: number; lastPassSec?: number }[] = [];
  // The throttle in force in each pass: as the trace says, else (records without it) QEMU's schedule replayed on the
  // trace's own passes (a judgement at the first sync 1 s after the last, a step after two high ones).
  const traced = pre.some((x) => x.throttle > 0);
  const throttles: number[] = [0];
  let credit = 0, high = 0, dirt = 0, sent = 0, thr = 0;
  for (const x of pre) {
    if (r.config.autoConverge && !traced && x.durationSec > 0) {
      dirt += x.dirtiedBytes;
      sent += x.sentBytes;
      credit += x.durationSec / expectedCheckIntervalSec(x.durationSec);
      if (credit >= 1 - 1e-9) {
        credit -= 1;
        if (dirt > 0.5 * sent && ++high >= 2) {
          high = 0;
          thr = thr === 0 ? 0.2 : Math.min(0.99, thr + 0.1);
        }
        dirt = 0;
        sent = 0;
      }
    }
    throttles.push(traced ? x.throttle : thr);
  }
  let t = e1;
  for (let k = 0; k <= pre.length; k++) {
    const last = k === pre.length;
    const dur = last ? end - t : pre[k].durationSec;
    if (!(dur > 0)) break;
    const bytes = last ? (stop?.sentBytes ?? 0) : pre[k].sentBytes;
    segs.push({ start: t, dur, bytes, pending: k === 0 ? mem : pre[k - 1].remainingBytes, rate: k === 0 ? 0 : pre[k - 1].dirtiedBytes / pre[k - 1].durationSec, throttle: throttles[k], ...(k >= 1 ? { lastPassSec: pre[k - 1].durationSec } : {}) });
    t += dur;
  }
  const out: { elapsedSec: number; input: InFlightInput }[] = [];
  let before = 0;
  for (const p of pts) {
    const k = segs.findIndex((s) => p.elapsedSec >= s.start - 1e-9 && p.elapsedSec < s.start + s.dur);
    if (k < 0) continue;
    const s = segs[k];
    before = segs.slice(0, k).reduce((a, x) => a + x.bytes, 0);
    const frac = (p.elapsedSec - s.start) / s.dur;
    out.push({
      elapsedSec: p.elapsedSec,
      input: { transferredBytes: before + frac * s.bytes, remainingBytes: s.pending * (1 - frac), memoryBytes: mem, syncs: k + 1, dirtyRateBytesPerSec: s.rate, bandwidthBytesPerSec: s.bytes / s.dur, throttle: s.throttle, passElapsedSec: p.elapsedSec - s.start, ...(s.lastPassSec !== undefined ? { lastPassSec: s.lastPassSec } : {}) },
    });
  }
  return out.length > 0 ? out : undefined;
}

const fmt = (s: InFlightScore) =>
  `${s.at.map((a) => `${a.fraction * 100} %: median ${a.medianPct.toFixed(1)} % p90 ${a.p90Pct.toFixed(1)} % (n ${a.n})`).join('; ')}; false alarms ${s.falseAlarms}/${s.completed}; timed out ${s.timedOut}, warned ${s.warned}${s.warningLeadSec.length ? ` (lead ${s.warningLeadSec.map((x) => x.toFixed(1)).join(', ')} s)` : ''}`;

const files = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['lab/results/libvirt-pass2.jsonl'];
const records: MigrationRecord[] = files.flatMap((f) => readFileSync(f, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as MigrationRecord));
const withInputs = records.filter((r) => r.inFlight?.every((p) => p.input));
const rebuilt = records.filter((r) => !withInputs.includes(r)).map((r) => ({ r, inputs: rebuild(r) })).filter((x) => x.inputs);
console.log(`${records.length} records: ${withInputs.length} with watch's inputs, ${rebuilt.length} rebuilt from the trace`);
console.log(`recorded:            ${fmt(scoreInFlight(records.filter((r) => r.inFlight)))}`);
for (const dirt of ['qemu', 'sample'] as const) {
  const replayed = [
    ...withInputs.map((r) => ({ ...r, inFlight: replayInFlight(r, dirt)! })),
    ...rebuilt.map(({ r, inputs }) => ({ ...r, inFlight: replayInFlight(r, dirt, inputs)! })),
  ];
  console.log(`replayed, ${dirt.padEnd(6)}:    ${fmt(scoreInFlight(replayed))}`);
  // Records from before the throttle's key was read right (libvirt's auto_converge_throttle) rebuild a throttle of
  // 0 for every pass: their auto-converge runs are replayed as if never throttled so far.
  if (rebuilt.length > 0) console.log(`  without auto-converge: ${fmt(scoreInFlight(replayed.filter((r) => !r.config.autoConverge)))}`);
}
