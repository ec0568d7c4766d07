#!/usr/bin/env node
// Markdown table of the concurrency mode: one row per N and target, cells mean [min–max] over the runs.
// usage: node conc-summary.mjs results/conc/conc.jsonl BASELINE_LABEL   (the lines conc-client.mjs printed, one
// JSON object per run with "run" added). "Δ first p99" is paired per run against the baseline at the same N.
import fs from 'node:fs';

const [file, base = 'direct'] = process.argv.slice(2);
const rows = fs.readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
const mean = (a) => a.reduce((x, y) => x + y, 0) / a.length;
const fin = (a) => a.filter((x) => Number.isFinite(x));
const cell = (a, d = 0) => {
  a = fin(a);
  if (!a.length) return 'n/a';
  const f = (x) => x.toFixed(d);
  return a.length === 1 ? f(a[0]) : `${f(mean(a))} [${f(Math.min(...a))}–${f(Math.max(...a))}]`;
};
const s = (ms) => (ms == null ? NaN : ms / 1000);
const ns = [...new Set(rows.map((r) => r.n))].sort((a, b) => a - b);
const labels = [...new Set(rows.map((r) => r.label))];
const out = ['## Concurrency: N streams of 100 chunks 100 ms apart (10 s each), all opened at once', '',
  'Cells: mean [min–max] over runs. first/total: from the moment the stream\'s request was written (its socket connected);',
  'connect: when that was, from the common start (the client\'s own skew plus the target\'s accept queue).',
  'Threads/RSS: the target process, sampled every 200 ms; RSS after: 10 s after the last stream ended.', '',
  '| N | target | runs | completed | failed | first p50 s | first p99 s | first max s | Δ first p99 vs direct s | total p99 s | connect p99 s | all done s | target CPU % | peak threads | peak RSS MiB | RSS after MiB |',
  '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|'];
const errs = [];
for (const n of ns) {
  const b = Object.fromEntries(rows.filter((r) => r.n === n && r.label === base).map((r) => [r.run, r]));
  for (const l of labels) {
    const rs = rows.filter((r) => r.n === n && r.label === l);
    if (!rs.length) continue;
    const g = (k, f = (x) => x) => rs.map((r) => f(r[k]));
    const d99 = rs.filter((r) => b[r.run]).map((r) => s(r.first_p99_ms) - s(b[r.run].first_p99_ms));
    out.push(`| ${n} | ${l} | ${rs.length} | ${cell(g('completed'))} | ${cell(g('failed'))} | ${cell(g('first_p50_ms', s), 2)} | ${cell(g('first_p99_ms', s), 2)} | ${cell(g('first_max_ms', s), 2)} | ${l === base ? '—' : cell(d99, 2)} | ${cell(g('total_p99_ms', s), 2)} | ${cell(g('connect_p99_ms', s), 2)} | ${cell(g('all_done_s'), 1)} | ${cell(g('cpu_pct'))} | ${cell(g('threads_peak'))} | ${cell(g('rss_peak_mib'))} | ${cell(g('rss_after_mib'))} |`);
    for (const r of rs) if (r.errors && r.errors.length) errs.push(`- N=${n} ${l} run ${r.run}: ${r.errors.join('; ')}`);
  }
}
if (errs.length) out.push('', 'Failures (first reasons, count × reason):', '', ...errs);
console.log(out.join('\n'));
