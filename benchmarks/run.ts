/**
 * `npm run bench`: runs every benchmark that exists here against a meterwatch it starts
 * itself, writes benchmarks/results/<date>.json and the results table in benchmarks/README.md
 * (with the machine described). A benchmark is a script, not a test (issue 5 item 3).
 *
 *   npm run bench                      full sizes (storm of 100 000 meters)
 *   npm run bench -- --quick           tiny sizes, to check the scripts work
 *   npm run bench -- --storm-meters 20000 --k6-duration 20s
 *   npm run bench -- --ingest-meters 10000 --analytics-meters 5000   smaller ingest and batch steps
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, totalmem, release, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Measurement } from './support/ingest-measure.ts';
import { medianOf, type SizeMeasurements } from './support/ingest-table.ts';
import { runStorm, type StormResult } from './storm.ts';
import { startSystemUnderTest } from './system-under-test.ts';

const root = resolve(import.meta.dirname, '..');
const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : fallback;
};
const quick = process.argv.includes('--quick');
const stormMeters = Number(arg('storm-meters', quick ? '2000' : '100000'));
const stormWindowMs = Number(arg('storm-window-s', quick ? '5' : '60')) * 1000;
const k6Duration = arg('k6-duration', quick ? '5s' : '30s');
const ingestMeters = arg('ingest-meters', quick ? '2000' : '10000,100000,1000000');
const analyticsMeters = arg('analytics-meters', quick ? '1000' : '100000');

interface K6Result {
  script: string;
  status: 'ok' | 'failed' | 'skipped';
  reason?: string;
  metrics?: Record<string, unknown>;
}

function machine(): Record<string, unknown> {
  const cpu = cpus();
  let java = 'not found';
  try {
    java = spawnSync('java', ['-version'], { encoding: 'utf8' }).stderr.split('\n')[0] ?? '';
  } catch {
    // no java
  }
  return {
    cpu: cpu[0]?.model ?? 'unknown',
    cores: cpu.length,
    memoryGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    kernel: release(),
    node: process.version,
    java,
    questdb: process.env.MW_QUESTDB_VERSION ?? '9.3.4',
    disk: diskOf(tmpdir()),
    note: 'shared machine: other engineers run tests on the same cores',
  };
}

function diskOf(path: string): string {
  try {
    return execFileSync('df', ['-h', '--output=source,fstype,size', path], { encoding: 'utf8' }).trim().split('\n')[1]?.replace(/\s+/g, ' ') ?? '';
  } catch {
    return 'unknown';
  }
}

function findK6(name: string): string | undefined {
  const local = join(root, 'benchmarks/.bin', name);
  if (existsSync(local)) return local;
  const which = spawnSync('which', [name], { encoding: 'utf8' });
  return which.status === 0 ? which.stdout.trim() : undefined;
}

function runK6(binary: string | undefined, script: string, env: Record<string, string>, missing: string): K6Result {
  if (!binary) return { script, status: 'skipped', reason: missing };
  const summary = join(tmpdir(), `k6-summary-${process.pid}-${script.replace(/\W/g, '_')}.json`);
  const args = ['run', '--quiet', '--summary-trend-stats', 'avg,min,med,p(90),p(99),max', '--summary-export', summary];
  for (const [k, v] of Object.entries(env)) args.push('-e', `${k}=${v}`);
  args.push(join(root, 'benchmarks/k6', script));
  const res = spawnSync(binary, args, { encoding: 'utf8', stdio: ['ignore', 'inherit', 'inherit'] });
  if (!existsSync(summary)) return { script, status: 'failed', reason: `k6 exited with ${res.status} and no summary` };
  const metrics = (JSON.parse(readFileSync(summary, 'utf8')) as { metrics: Record<string, unknown> }).metrics;
  rmSync(summary, { force: true });
  return { script, status: res.status === 0 ? 'ok' : 'failed', ...(res.status === 0 ? {} : { reason: `k6 exit ${res.status} (thresholds crossed or errors)` }), metrics };
}

/** Runs a benchmark script as a child (it starts what it needs) and records the JSON it prints on stdout. */
function runJsonScript(name: string, args: string[]): Record<string, unknown> {
  const script = join(root, 'benchmarks', name);
  if (!existsSync(script)) return { status: 'skipped', reason: `benchmarks/${name} does not exist in this tree` };
  const started = performance.now();
  const res = spawnSync(process.execPath, ['--import', 'tsx', script, ...args], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 * 1024 * 1024 });
  const wallSeconds = +((performance.now() - started) / 1000).toFixed(1);
  const json = res.stdout.slice(res.stdout.indexOf('{'));
  try {
    return { status: res.status === 0 ? 'ok' : 'failed', wallSeconds, result: JSON.parse(json) as unknown };
  } catch {
    return { status: 'failed', wallSeconds, reason: `exit ${res.status}, no JSON on stdout`, stdoutTail: res.stdout.slice(-2000) };
  }
}

async function main(): Promise<void> {
  const date = new Date().toISOString().slice(0, 10);
  const results: Record<string, unknown> = { date: new Date().toISOString(), quick, machine: machine() };
  process.stderr.write(`bench: ingest end-to-end at ${ingestMeters} meters\n`);
  results.ingestE2e = runJsonScript('ingest-e2e.ts', ['--meters', ingestMeters, ...(quick ? ['--min-seconds', '2'] : [])]);
  // Issue 5 item 3d: one batch analytics pass over N meters × 25 months (the script loads the fleet itself).
  process.stderr.write(`bench: analytics pass over ${analyticsMeters} meters × 25 months\n`);
  results.analyticsPass = runJsonScript('analytics-pass.ts', ['--meters', analyticsMeters, '--months', '25']);

  process.stderr.write(`bench: starting meterwatch\n`);
  const sut = await startSystemUnderTest({ root, cacheDir: process.env.MW_CACHE_DIR ?? join(root, '.meterwatch/cache'), heap: process.env.MW_QUESTDB_HEAP ?? '1g' });
  try {
    process.stderr.write(`bench: storm of ${stormMeters} meters in ${stormWindowMs / 1000} s\n`);
    const storm: StormResult = await runStorm({
      meters: stormMeters,
      windowMs: stormWindowMs,
      mqttUrl: sut.mqttUrl,
      pgUrl: sut.pgUrl,
      url: sut.httpUrl,
      clients: 8,
      inflightPerClient: 500,
      valuesPerMessage: 24,
      drainTimeoutMs: quick ? 30_000 : 300_000,
      timezone: 'Asia/Shanghai',
      onTick: () => sut.sample(),
    });
    sut.sample();
    results.storm = { ...storm, peakRssMiB: { ...sut.peaks } };
    // the same storm with no pacing: what the publisher, broker and ingest absorb at most
    process.stderr.write(`bench: the same storm as fast as possible\n`);
    const burst = await runStorm({
      meters: stormMeters,
      windowMs: 0,
      mqttUrl: sut.mqttUrl,
      pgUrl: sut.pgUrl,
      clients: 8,
      inflightPerClient: 500,
      valuesPerMessage: 24,
      drainTimeoutMs: quick ? 30_000 : 300_000,
      timezone: 'Asia/Shanghai',
      onTick: () => sut.sample(),
    });
    sut.sample();
    results.stormUnpaced = { ...burst, peakRssMiB: { ...sut.peaks } };

    const k6 = findK6('k6');
    const k6Mqtt = findK6('k6-mqtt');
    const missing = 'k6 not found (benchmarks/.bin/k6 or PATH): build it with benchmarks/build-k6.sh';
    results.k6 = [
      runK6(k6, 'http-uploads.js', { MW_URL: sut.httpUrl, DURATION: k6Duration, RATE: quick ? '5' : '50' }, missing),
      runK6(k6, 'ws-alerts.js', { MW_URL: sut.httpUrl, DURATION: k6Duration, CONNECTIONS: quick ? '5' : '50' }, missing),
      runK6(k6Mqtt, 'mqtt-readings.js', { MQTT_URL: sut.mqttUrl, DURATION: k6Duration, VUS: quick ? '2' : '10' }, 'k6 with xk6-mqtt not found: build it with benchmarks/build-k6.sh --mqtt'),
    ];
    sut.sample();
    results.peakRssMiB = { ...sut.peaks };
  } finally {
    await sut.stop();
  }
  mkdirSync(join(root, 'benchmarks/results'), { recursive: true });
  const file = join(root, 'benchmarks/results', `${date}${quick ? '-quick' : ''}.json`);
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  // A quick run checks the scripts; it does not replace the full-size table in the README.
  if (!quick) updateReadme(results, `results/${date}.json`);
  process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
  process.stderr.write(`bench: wrote ${file}\n`);
}

function updateReadme(r: Record<string, unknown>, file: string): void {
  const readme = join(root, 'benchmarks/README.md');
  const text = readFileSync(readme, 'utf8');
  const m = r.machine as Record<string, unknown>;
  const s = r.storm as (StormResult & { peakRssMiB: Record<string, number> }) | undefined;
  const k6 = (r.k6 as K6Result[] | undefined) ?? [];
  const metric = (res: K6Result | undefined, name: string, stat: string) => {
    const v = (res?.metrics?.[name] as Record<string, number> | undefined)?.[stat];
    return v === undefined ? '–' : String(Math.round(v * 10) / 10);
  };
  const ingest = r.ingestE2e as { status: string; reason?: string; result?: { sizes: SizeMeasurements[] } };
  const pass = r.analyticsPass as { status: string; reason?: string; result?: { meters: number; months: number; readingRows: number; passes: { wallSeconds: number; raised: number }[] } };
  const rows = [
    `Run ${String(r.date)} (${r.quick ? 'quick sizes' : 'full sizes'}), raw numbers in [${file}](${file}).`,
    `Machine: ${String(m.cpu)}, ${String(m.cores)} cores, ${String(m.memoryGiB)} GiB, Linux ${String(m.kernel)}, Node ${String(m.node)}, ${String(m.java)}, QuestDB ${String(m.questdb)}, disk ${String(m.disk)} (${String(m.note)}).`,
    '',
    '| benchmark | figure | value |',
    '|---|---|---|',
    `| ingest end-to-end | status | ${ingest.status}${ingest.reason ? `: ${ingest.reason}` : ''} |`,
  ];
  for (const size of ingest.result?.sizes ?? []) {
    for (const shape of [1, 24]) {
      const f = (what: Measurement['what']) => Math.round(medianOf(size.measurements, what, shape));
      const full = f('full system');
      const only = f('ingest only');
      const noStream = f('full, no stream rules');
      rows.push(`| ingest ${size.meters} meters, ${shape} reading(s)/message | records/s: ingest only; full without stream rules; full system (full / no stream; full / ingest); broker alone; ILP alone | ${only}; ${noStream}; ${full} (${(full / noStream).toFixed(2)}; ${(full / only).toFixed(2)}); ${f('broker alone')}; ${Math.round(medianOf(size.measurements, 'ILP alone', 1))} |`);
    }
  }
  const p = pass.result;
  rows.push(
    p
      ? `| analytics pass: ${p.meters} meters × ${p.months} months (${p.readingRows} reading rows) | wall time of POST /api/analytics/run: first pass (alerts raised); later passes | ${p.passes[0]?.wallSeconds} s (${p.passes[0]?.raised}); ${p.passes.slice(1).map((x) => `${x.wallSeconds} s`).join(', ')} (${pass.status}) |`
      : `| analytics pass | status | ${pass.status}${pass.reason ? `: ${pass.reason}` : ''} |`,
  );
  if (s) {
    rows.push(
      `| storm: ${s.meters} meters × ${s.records / s.meters} values in ${stormWindowMs / 1000} s | publish rate | ${s.publishRatePerS} msg/s (all published in ${s.publishMs} ms, all PUBACKs at ${s.allAckedMs} ms) |`,
      `| | drain (first publish → all ${s.records} records visible in QuestDB) | ${s.drainMs === null ? `not drained: ${s.note ?? ''}` : `${s.drainMs} ms (${s.drainRecordsPerS} records/s)`} |`,
      `| | records lost | ${s.lost === null ? '–' : s.lost} (visible ${s.recordsVisible ?? '–'} of ${s.records}) |`,
      `| | peak RSS meterwatch / QuestDB | ${s.peakRssMiB.meterwatch} MiB / ${s.peakRssMiB.questdb} MiB |`,
    );
  }
  const b = r.stormUnpaced as StormResult | undefined;
  if (b) {
    rows.push(
      `| storm unpaced: ${b.meters} meters × ${b.records / b.meters} values as fast as possible | publish rate | ${b.publishRatePerS} msg/s = ${Math.round((b.records / b.publishMs) * 1000)} records/s (published in ${b.publishMs} ms, all PUBACKs at ${b.allAckedMs} ms) |`,
      `| | drain | ${b.drainMs === null ? `not drained: ${b.note ?? ''}` : `${b.drainMs} ms (${b.drainRecordsPerS} records/s), lost ${b.lost}`} |`,
    );
  }
  for (const res of k6) {
    if (res.status === 'skipped') rows.push(`| k6 ${res.script} | status | skipped: ${res.reason} |`);
    else if (res.script === 'ws-alerts.js') rows.push(`| k6 ${res.script} | alerts received; alert latency p50 / p99 ms | ${metric(res, 'alerts_received', 'count')}; ${metric(res, 'alert_latency', 'med')} / ${metric(res, 'alert_latency', 'p(99)')} (${res.status}) |`);
    else if (res.script === 'mqtt-readings.js') rows.push(`| k6 ${res.script} | messages published, rate /s | ${metric(res, 'mqtt_messages_published', 'count')}, ${metric(res, 'mqtt_messages_published', 'rate')} (${res.status}) |`);
    else rows.push(`| k6 ${res.script} | requests/s; p50 / p99 ms; failed share | ${metric(res, 'http_reqs', 'rate')}; ${metric(res, 'http_req_duration', 'med')} / ${metric(res, 'http_req_duration', 'p(99)')}; ${metric(res, 'http_req_failed', 'value')} (${res.status}${res.reason ? `: ${res.reason}` : ''}) |`);
  }
  const START = '<!-- bench:start -->';
  const END = '<!-- bench:end -->';
  const next = `${text.slice(0, text.indexOf(START) + START.length)}\n${rows.join('\n')}\n${text.slice(text.indexOf(END))}`;
  writeFileSync(readme, next);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
