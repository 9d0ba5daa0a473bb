#!/usr/bin/env bash
# Re-runs the figures the README and docs/ report, as JSON, into OUTDIR (one file per figure), so a change can
# be checked against the figures before it: `bash scripts/figures.sh /tmp/before`, change, `bash scripts/figures.sh
# /tmp/after`, `diff -r /tmp/before /tmp/after`. Needs a build (`npm run build`) and the traces (MIGCOST_DATA_DIR
# or ../shared/data). Set FIGURES_QUICK=1 to skip the slow simulator comparisons (~1 min instead of ~10).
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:?usage: scripts/figures.sh OUTDIR}
mkdir -p "$out"
m() { node bin/migcost.js "$@"; }
run() { local name=$1; shift; printf '%s\n' "$name" >&2; "$@" > "$out/$name.json" 2> "$out/$name.stderr" || echo "exit $?" >> "$out/$name.stderr"; }
passes() { local IFS=,; local a=(); for n in "$@"; do a+=("lab/results/standard-pass$n.jsonl"); done; echo "${a[*]}"; }

run lab-report-1-12 m lab report --results "$(passes 1 2 3 4 5 6 7 8 9 10 11 12)" --overall --variant deng-bitmap,deng-bitmap+pool --json
run lab-report-1-8-all m lab report --results "$(passes 1 2 3 4 5 6 7 8)" --overall --json
run lab-report-9-13 m lab report --results "$(passes 9 10 11 12 13)" --overall --variant deng-bitmap,deng-bitmap+pool --json
tmp=$(mktemp -d)
m lab calibrate --results "$(passes 6 7 8 9 10 11 12)" --host "AMD EPYC x2" --out "$tmp/p.json" > /dev/null
cp "$tmp/p.json" "$out/platform-6-12.json"
run lab-report-13-held-out m lab report --results lab/results/standard-pass13.jsonl --platform "$tmp/p.json" --overall --variant deng-bitmap,deng-bitmap+pool --json
run lab-report-13-outlook m lab report --results lab/results/standard-pass13.jsonl --platform "$tmp/p.json" --outlook --json
run lab-report-heldout1-outlook m lab report --results lab/results/heldout-pass1.jsonl --platform "$tmp/p.json" --outlook --json
run lab-decide m lab decide --from lab/results/decide.jsonl,lab/results/decide-pass2.jsonl --json
run lab-decide-platform m lab decide --from lab/results/decide.jsonl,lab/results/decide-pass2.jsonl --platform-from "$(passes 1 2 3 4 5)" --json
run plan-moa m plan --cluster examples/cluster.json --policy moa --objective traffic --json
run plan-optimal-lr m plan --cluster examples/cluster.json --policy optimal --detector lr --param 1.2 --consolidate 1h --json
run plan-platform m plan --cluster examples/cluster.json --policy optimal --platform "$tmp/p.json" --json
run predict-first m predict --memory 4GiB --dirty-rate 50MiB/s --bandwidth 1Gbit/s --policy qemu --downtime-limit 300ms --json
run sim-thr-mmt m simulate --preset cloudsim-planetlab --day 20110303 --detector thr --param 0.8 --selection mmt --json
run sim-lr-optimal m simulate --day 20110303 --detector lr --migration-model migcost --selection optimal --objective sla-per-mips --json
if [ -z "${FIGURES_QUICK:-}" ]; then
  # Issue 20: the lab's records as an operator's log (scalar inputs), learned vs analytic vs textbook (docs/history.md).
  m history export --results "$(passes 1 2 3 4 5 6 7 8 9 10 11 12 13)" --format csv --output "$tmp/lab-log.csv"
  run evaluate-lab-log-learned m evaluate --input "$tmp/lab-log.csv" --learned --json
  run sim-lr-optimal-co m simulate --day 20110303 --detector lr --migration-model migcost --selection optimal --objective sla-per-mips --consolidation cost --json
  run sim-compare m simulate --compare --days 20110303,20110306 --detector lr --migration-model migcost --json
fi
rm -rf "$tmp"
# Drop what changes from run to run (wall-clock times, fit timestamps), so two runs diff clean.
node -e '
const fs = require("fs"); const dir = process.argv[1];
const strip = (v) => Array.isArray(v) ? v.map(strip) : v && typeof v === "object" ? Object.fromEntries(Object.entries(v).filter(([k]) => k !== "wallSec" && k !== "fittedAt").map(([k, x]) => [k, strip(x)])) : v;
for (const f of fs.readdirSync(dir).filter((f) => f.endsWith(".json"))) {
  const text = fs.readFileSync(`${dir}/${f}`, "utf8").trim();
  let docs; try { docs = [JSON.stringify(strip(JSON.parse(text)))]; } catch { try { docs = text.split("\n").map((l) => JSON.stringify(strip(JSON.parse(l)))); } catch { continue; } }
  fs.writeFileSync(`${dir}/${f}`, docs.join("\n") + "\n");
}' "$out"
