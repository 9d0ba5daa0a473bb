/**
 * Formatting for people: the CLI's own module (src/cli/render/format.ts), so a metric reads the same, in the same
 * unit, in both: sizes and times in the largest fitting unit, digits grouped, SLATAH / PDM / SLAV as percentages.
 */
import { formatBytes, formatCount, formatJoules, formatNumber, formatPercent, formatSeconds } from '../../src/cli/render/format.js';

export const bytes = formatBytes;
export const secs = formatSeconds;
export const joules = formatJoules;
export const num = formatNumber;

/** A fraction as a percentage, as the CLI prints SLATAH, PDM and SLAV: 0.0000357 -> "0.00357 %". */
export const pct = (x: number, digits = 2): string => formatPercent(x, digits);

/** Digits grouped: 27728 -> "27,728". */
export const int = formatCount;

/** Escapes text for innerHTML. */
export function esc(s: unknown): string {
  return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

export function table(head: string[], rows: (string | number)[][], cls = ''): string {
  return `<table class="${cls}"><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
}

/** How records get into the store, for the pages that have none yet. */
export function emptyState(what: string): string {
  return `<div class="empty"><p><strong>No ${esc(what)} in the store yet.</strong> Data gets in by:</p><ul>
    <li><code>migcost agent --qmp /run/vm1.qmp --vm-id vm1 --service ${esc(location.origin)}</code> samples a host's QEMU VMs on a schedule and posts the samples (dirty rates) here;</li>
    <li><code>migcost lab run --db FILE</code> or <code>migcost lab matrix --db FILE</code> runs real QEMU migrations in the lab and records each one (sample, prediction, measurement);</li>
    <li><code>migcost execute --plan plan.json --targets targets.json --db FILE</code> (or <code>POST /v1/execute</code>) runs a plan's moves for real and records them;</li>
    <li><code>POST /v1/vms/{vmId}/samples</code> takes samples from any program (with the token).</li>
  </ul><p>Start the service on the same store: <code>migcost serve --db FILE</code>. <code>migcost history export</code> writes the recorded migrations out again.</p></div>`;
}
