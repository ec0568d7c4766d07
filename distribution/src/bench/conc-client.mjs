#!/usr/bin/env node
// Concurrency probe (no dependencies): opens N streamed chats at once, each on a fresh connection, and reports how
// the target carried them. The N streams are split over W worker processes (one Node process is slow to open 10,000
// sockets and read 100,000 chunks a second); the parent only starts them together and samples the target process.
//
// Per stream, in ms: t_write (the request written: the socket is connected and the request is on it, from the
// common start), first (first SSE "data:" bytes, counted from t_write, so the client's own start skew and a slow
// accept queue do not count as the target's latency), total (after "data: [DONE]" and the end of the body, from
// t_write), connect (t_write from the common start: how long the target's accept took).
//
// usage: node conc-client.mjs --url URL --n N [--workers W] [--header 'Name: value']... [--body-file F]
//          [--pid PID (sampled: Threads, VmRSS every 200 ms, and VmRSS --after-s s after the last stream)]
//          [--timeout-s 120] [--after-s 10] [--label L] [--csv per-stream.csv]
// cpu_pct: the target's CPU (user + system) from the start to the last stream's end, % of one core.
// prints one line: CONCRESULT {json}. Only loopback URLs are accepted.
import http from 'node:http';
import fs from 'node:fs';
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const opt = { n: '100', workers: '2', 'timeout-s': '120', 'after-s': '10', headers: [] };
for (let i = 0; i < args.length; i++) {
  const k = args[i].replace(/^--/, '');
  if (k === 'header') opt.headers.push(args[++i]);
  else opt[k] = args[++i];
}
if (!opt.url) { console.error('--url required'); process.exit(2); }
const u = new URL(opt.url);
if (!/^(127\.\d+\.\d+\.\d+|localhost|\[::1\])$/.test(u.hostname)) {
  console.error(`refusing non-loopback target ${u.hostname}`); process.exit(2);
}
const now = () => performance.timeOrigin + performance.now(); // absolute ms, comparable across processes

if (process.env.CONC_WORKER) await worker(); else await parent();

async function worker() {
  const count = Number(process.env.CONC_WORKER_N);
  const body = fs.readFileSync(opt['body-file'] || new URL('./body-stream.json', import.meta.url));
  const headers = { 'content-type': 'application/json', 'content-length': String(body.length) };
  for (const h of opt.headers) {
    const i = h.indexOf(':');
    if (i > 0) headers[h.slice(0, i).trim().toLowerCase()] = h.slice(i + 1).trim();
  }
  const timeoutMs = 1000 * Number(opt['timeout-s']);
  const one = (t0) => new Promise((resolve) => {
    let tw = NaN, first = NaN, done = false, tail = '', status = 0, settled = false;
    const finish = (r) => { if (!settled) { settled = true; clearTimeout(timer); resolve(r); } };
    const req = http.request({ host: u.hostname.replace(/^\[|\]$/g, ''), port: u.port || 80,
      path: u.pathname + u.search, method: 'POST', headers, agent: false }, (res) => {
      status = res.statusCode;
      res.setEncoding('utf8');
      res.on('data', (s) => {
        const str = tail + s;
        if (Number.isNaN(first) && str.includes('data:')) first = now();
        if (str.includes('data: [DONE]')) done = true;
        tail = str.slice(-16);
      });
      res.on('end', () => finish({ ok: status === 200 && done, status, tw, first, end: now(),
        error: status === 200 && done ? undefined : `status ${status}${done ? '' : ', no [DONE]'}: ${tail.trim()}` }));
      res.on('error', (e) => finish({ ok: false, status, tw, first, end: now(), error: String(e) }));
    });
    // the request is written as soon as the socket connects (Node buffers it until then)
    req.on('socket', (s) => s.once('connect', () => { tw = now(); }));
    req.on('error', (e) => finish({ ok: false, status, tw, first, end: now(), error: `${e.code || ''} ${e.message}` }));
    const timer = setTimeout(() => { req.destroy(new Error(`no end within ${opt['timeout-s']} s`)); }, timeoutMs);
    req.end(body);
  });
  process.on('message', async (m) => {
    if (m.go === undefined) return;
    while (now() < m.go) await new Promise((r) => setTimeout(r, Math.max(0, Math.min(5, m.go - now()))));
    const t0 = now();
    const all = [];
    for (let i = 0; i < count; i++) all.push(one(t0));
    const rs = await Promise.all(all);
    process.send({ rows: rs.map((r) => [r.ok ? 1 : 0, r.tw, r.first, r.end, r.error || '']) }, () => process.exit(0));
  });
  process.send({ ready: true });
}

async function parent() {
  const n = Number(opt.n), w = Math.max(1, Math.min(Number(opt.workers), n));
  const pid = opt.pid ? Number(opt.pid) : 0;
  const status = (k) => {
    try { return Number(fs.readFileSync(`/proc/${pid}/status`, 'utf8').match(new RegExp(`^${k}:\\s+(\\d+)`, 'm'))[1]); }
    catch { return NaN; }
  };
  const self = fileURLToPath(import.meta.url);
  const kids = [];
  for (let i = 0; i < w; i++) {
    const share = Math.floor(n / w) + (i < n % w ? 1 : 0);
    kids.push(fork(self, process.argv.slice(2), { env: { ...process.env, CONC_WORKER: '1', CONC_WORKER_N: String(share) } }));
  }
  await Promise.all(kids.map((k) => new Promise((r) => k.once('message', r))));
  const ticks = () => { try { const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' '); return +f[11] + +f[12]; } catch { return NaN; } };
  const rssBefore = status('VmRSS'), thrBefore = status('Threads');
  let peakRss = rssBefore, peakThr = thrBefore;
  const sampler = pid ? setInterval(() => {
    const r = status('VmRSS'), t = status('Threads');
    if (r > peakRss) peakRss = r;
    if (t > peakThr) peakThr = t;
  }, 200) : null;
  const go = now() + 300;
  let ticks0 = NaN;
  setTimeout(() => { ticks0 = ticks(); }, Math.max(0, go - now()));
  const results = kids.map((k) => new Promise((r) => k.on('message', (m) => { if (m.rows) r(m.rows); })));
  for (const k of kids) k.send({ go });
  const rows = (await Promise.all(results)).flat();
  const allDone = now();
  const cpuPct = (ticks() - ticks0) / 100 / ((allDone - go) / 1000) * 100; // CLK_TCK is 100 on Linux
  if (sampler) clearInterval(sampler);
  let rssAfter = NaN;
  if (pid) { await new Promise((r) => setTimeout(r, 1000 * Number(opt['after-s']))); rssAfter = status('VmRSS'); }

  const pct = (a, p) => { if (!a.length) return NaN; const s = [...a].sort((x, y) => x - y); return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]; };
  const ok = rows.filter((r) => r[0] === 1);
  const failed = rows.filter((r) => r[0] !== 1);
  const reasons = {};
  for (const r of failed) reasons[r[4]] = (reasons[r[4]] || 0) + 1;
  const first = ok.map((r) => r[2] - r[1]), total = ok.map((r) => r[3] - r[1]);
  const connect = rows.filter((r) => Number.isFinite(r[1])).map((r) => r[1] - go);
  const f = (x) => (Number.isFinite(x) ? +x.toFixed(1) : null);
  const out = {
    label: opt.label || '', n, workers: w, completed: ok.length, failed: failed.length,
    errors: Object.entries(reasons).sort((a, b) => b[1] - a[1]).slice(0, 4).map(([e, c]) => `${c}× ${e}`),
    first_p50_ms: f(pct(first, 50)), first_p99_ms: f(pct(first, 99)), first_max_ms: f(pct(first, 100)),
    total_p50_ms: f(pct(total, 50)), total_p99_ms: f(pct(total, 99)), total_max_ms: f(pct(total, 100)),
    connect_p50_ms: f(pct(connect, 50)), connect_p99_ms: f(pct(connect, 99)), connect_max_ms: f(pct(connect, 100)),
    all_done_s: f((allDone - go) / 1000), cpu_pct: f(cpuPct),
    threads_before: thrBefore, threads_peak: peakThr, rss_before_mib: f(rssBefore / 1024),
    rss_peak_mib: f(peakRss / 1024), rss_after_mib: f(rssAfter / 1024),
  };
  if (opt.csv) fs.writeFileSync(opt.csv, 'ok,write_ms,first_ms,total_ms,error\n'
    + rows.map((r) => `${r[0]},${(r[1] - go).toFixed(1)},${(r[2] - r[1]).toFixed(1)},${(r[3] - r[1]).toFixed(1)},"${r[4].replace(/"/g, "'")}"`).join('\n') + '\n');
  console.log('CONCRESULT ' + JSON.stringify(out));
}
