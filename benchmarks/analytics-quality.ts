/**
 * Detection quality on a simulated fleet (issue: analytics, item 5): precision and recall per
 * rule, against the simulator's ground truth, with everything driven from outside — a fresh
 * meterwatch, `meterwatch simulate` back-filling the fleet through MQTT and HTTP, then
 * POST /api/analytics/run and GET /api/alerts.
 *
 *   npm run bench:quality -- [--meters 10000] [--months 25] [--faults 2%] [--seed 42] [--data-dir DIR]
 *
 * --now pretends the clock reads this (ISO 8601 with offset): the history ends at the start of its day.
 * --data-dir keeps meterwatch's data (QuestDB included) in DIR after the run instead of a scratch directory.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DateTime } from 'luxon';
import { matchTruth, type AlertOut, type ExpectedAlert } from './quality/match-truth.ts';
import { postJson, startSystem } from './support/system.ts';

const { values } = parseArgs({ options: { meters: { type: 'string', default: '10000' }, months: { type: 'string', default: '25' }, faults: { type: 'string', default: '2%' }, seed: { type: 'string', default: '42' }, 'data-dir': { type: 'string' }, now: { type: 'string' } } });
const ZONE = 'Asia/Shanghai';

function run(cmd: string, args: string[], env: Record<string, string>): Promise<void> {
  return new Promise((res, rej) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, ...env } });
    child.once('exit', (code) => (code === 0 ? res() : rej(new Error(`${args.join(' ')} exited with ${code}`))));
  });
}

async function allAlerts(url: string): Promise<AlertOut[]> {
  const out: AlertOut[] = [];
  let cursor: string | undefined;
  do {
    const body = (await (await fetch(`${url}/api/alerts?limit=20000${cursor ? `&cursor=${cursor}` : ''}`)).json()) as { items: AlertOut[]; next?: string };
    out.push(...body.items);
    cursor = body.next;
  } while (cursor);
  return out;
}

async function main(): Promise<void> {
  const system = await startSystem({ MW_TIMEZONE: ZONE }, process.cwd(), values['data-dir'] ? resolve(values['data-dir']) : undefined);
  const truthFile = join(system.dataDir, 'truth.jsonl');
  // The simulator's history ends at the start of "today" and its truth is as of that instant.
  // The analytics pass runs now (the registry rows are stamped at upload, so an earlier asOf
  // would not know the meters' statuses); alerts dated after the window's end (visits falling
  // due today) are about time nobody simulated, and are left out of the score.
  const now = values.now ? DateTime.fromISO(values.now, { setZone: true }).toMillis() : Date.now();
  const windowEnd = DateTime.fromMillis(now, { zone: ZONE }).startOf('day').toMillis();
  try {
    const t0 = performance.now();
    await run(process.execPath, ['--import', 'tsx', 'main.ts', 'simulate', '--meters', values.meters!, '--months', values.months!, '--faults', values.faults!, '--seed', values.seed!, '--now', String(now), '--url', system.url, '--mqtt', system.mqttUrl, '--truth', truthFile, '--no-progress'], { MW_LOG_LEVEL: 'warn' });
    const backfillSeconds = +((performance.now() - t0) / 1000).toFixed(1);
    const run1 = (await postJson(`${system.url}/api/analytics/run`, { asOf: Date.now() })) as { durationMs: number; phasesMs: unknown };
    const all = await allAlerts(system.url);
    const alerts = all.filter((a) => Date.parse(a.periodStart) <= windowEnd);
    const truth = readFileSync(truthFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as ExpectedAlert & { kind: string }).filter((l) => l.kind === 'expected_alert');
    const perRule = matchTruth(alerts, truth, ZONE);
    // Keep the evidence for whoever investigates a miss.
    const keep = resolve('benchmarks/results/tmp', `quality-${values.meters}-${values.seed}`);
    mkdirSync(keep, { recursive: true });
    writeFileSync(join(keep, 'truth.jsonl'), readFileSync(truthFile));
    writeFileSync(join(keep, 'alerts.json'), JSON.stringify(alerts));
    const result = { at: new Date().toISOString(), windowEnd: DateTime.fromMillis(windowEnd, { zone: ZONE }).toISO(), afterWindow: all.length - alerts.length, meters: Number(values.meters), months: Number(values.months), faults: values.faults, seed: Number(values.seed), backfillSeconds, analyticsMs: run1.durationMs, phasesMs: run1.phasesMs, alerts: alerts.length, expected: truth.length, perRule };
    const dir = resolve('benchmarks/results');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `analytics-quality-${new Date().toISOString().slice(0, 10)}-${values.meters}.json`);
    writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
    process.stdout.write(`${JSON.stringify(result, null, 2)}\nwritten ${file}\n`);
  } finally {
    await system.stop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:quality failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
