/**
 * Analytics on real series (issue: analytics, item 5): alerts per 1,000 meter-months per
 * rule on the data sets in ../shared/datasets, and the rank by score of faults injected
 * into copies of those series (a register frozen in winter, a meter gone silent, a register
 * run backwards). Each data set runs in its own meterwatch, started and fed from outside.
 *
 *   npm run bench:analytics-real [-- --datasets cambridge_estates,ampds2,uk_household]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ampds2, cambridge, ukHousehold, type RealDataset, type RealSeries } from './real-data/datasets.ts';
import { EXPECTED_RULE, injectFault, type InjectedFault } from './real-data/faults.ts';
import { postJson, startSystem } from './support/system.ts';

interface AlertOut {
  id: string;
  meterId: string;
  rule: string;
  score: number;
  periodStart: string;
  message: string;
}

const DATASETS = resolve(process.env.MW_DATASETS ?? '../shared/datasets');
const FAULTS: InjectedFault[] = ['frozen', 'silent', 'backwards'];
const FAULTY_PER_DATASET = 5;

async function loadInto(url: string, series: readonly RealSeries[]): Promise<number> {
  await postJson(`${url}/api/meters`, series.map((s) => s.meter));
  let n = 0;
  for (const s of series) {
    for (let i = 0; i < s.reads.length; i += 5000) {
      const batch = s.reads.slice(i, i + 5000).map((r) => ({ meterId: s.meter.meterId, ts: r.ts, reading: r.reading }));
      const res = (await postJson(`${url}/api/readings`, batch)) as { accepted: number; rejected: unknown[] };
      if (res.rejected.length > 0) throw new Error(`${s.meter.meterId}: ${res.rejected.length} reads rejected: ${JSON.stringify(res.rejected.slice(0, 3))}`);
      n += res.accepted;
    }
  }
  return n;
}

async function allAlerts(url: string): Promise<AlertOut[]> {
  const out: AlertOut[] = [];
  let cursor: string | undefined;
  do {
    const res = await fetch(`${url}/api/alerts?limit=5000&sort=score${cursor ? `&cursor=${cursor}` : ''}`);
    const body = (await res.json()) as { items: AlertOut[]; next?: string };
    out.push(...body.items);
    cursor = body.next;
  } while (cursor);
  return out;
}

function meterMonths(series: readonly RealSeries[]): number {
  let n = 0;
  for (const s of series) {
    const months = new Set(s.reads.map((r) => new Date(r.ts).toISOString().slice(0, 7)));
    n += months.size;
  }
  return n;
}

async function runDataset(ds: RealDataset) {
  const faulty = ds.series.slice(0, FAULTY_PER_DATASET).flatMap((s) => FAULTS.map((f) => ({ fault: f, series: injectFault(s, f, ds.end) })));
  const system = await startSystem({ MW_TIMEZONE: ds.zone });
  try {
    const t0 = Date.now();
    const reads = await loadInto(system.url, [...ds.series, ...faulty.map((f) => f.series)]);
    const loadMs = Date.now() - t0;
    const run = (await postJson(`${system.url}/api/analytics/run`, { asOf: ds.end })) as { durationMs: number };
    const alerts = await allAlerts(system.url);
    const real = new Set(ds.series.map((s) => s.meter.meterId));
    const mm = meterMonths(ds.series);
    const perRule: Record<string, { alerts: number; per1000MeterMonths: number }> = {};
    for (const a of alerts.filter((x) => real.has(x.meterId))) {
      perRule[a.rule] ??= { alerts: 0, per1000MeterMonths: 0 };
      perRule[a.rule]!.alerts++;
    }
    for (const v of Object.values(perRule)) v.per1000MeterMonths = Math.round((v.alerts / mm) * 1000 * 10) / 10;
    const sorted = [...alerts].sort((a, b) => b.score - a.score);
    const injected = faulty.map(({ fault, series }) => {
      const hit = sorted.findIndex((a) => a.meterId === series.meter.meterId && a.rule === EXPECTED_RULE[fault]);
      return { meterId: series.meter.meterId, fault, rule: EXPECTED_RULE[fault], detected: hit >= 0, rank: hit >= 0 ? hit + 1 : null, score: hit >= 0 ? sorted[hit]!.score : null, of: sorted.length };
    });
    // What outranks the injected faults: the rules of the alerts above the worst-ranked one.
    const worst = Math.max(0, ...injected.map((i) => i.rank ?? 0));
    const above: Record<string, number> = {};
    for (const a of sorted.slice(0, worst)) above[a.rule] = (above[a.rule] ?? 0) + 1;
    const top = sorted.slice(0, 15).map((a) => ({ rule: a.rule, meterId: a.meterId, score: a.score, periodStart: a.periodStart, message: a.message }));
    return { dataset: ds.name, meters: ds.series.length, meterMonths: mm, reads, loadSeconds: Math.round(loadMs / 100) / 10, analyticsMs: run.durationMs, alerts: alerts.length, perRule, injected, aboveWorstInjected: above, top };
  } finally {
    await system.stop();
  }
}

async function main(): Promise<void> {
  const wanted = (process.argv.find((a) => a.startsWith('--datasets='))?.split('=')[1] ?? 'ampds2,uk_household,cambridge_estates').split(',');
  const loaders: Record<string, () => RealDataset> = { ampds2: () => ampds2(DATASETS), uk_household: () => ukHousehold(DATASETS), cambridge_estates: () => cambridge(DATASETS) };
  const results = [];
  for (const name of wanted) {
    const ds = loaders[name]?.();
    if (!ds) throw new Error(`unknown data set ${name}`);
    process.stderr.write(`${name}: ${ds.series.length} meters, ${ds.series.reduce((n, s) => n + s.reads.length, 0)} reads\n`);
    const r = await runDataset(ds);
    results.push(r);
    process.stderr.write(`${JSON.stringify(r, null, 1)}\n`);
  }
  const dir = resolve('benchmarks/results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `analytics-real-${new Date().toISOString().slice(0, 10)}.json`);
  writeFileSync(file, `${JSON.stringify({ at: new Date().toISOString(), results }, null, 2)}\n`);
  process.stdout.write(`written ${file}\n`);
}

await main();
