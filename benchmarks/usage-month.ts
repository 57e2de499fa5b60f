/**
 * Month usage for a fleet (issue 4 item 4): default 100k meters × 25 months of monthly
 * handheld reads, computed inside QuestDB into `usage_monthly` (storage/usage/monthly-usage.ts).
 * Reports wall time, rows, peak memory of this process and of QuestDB, and checks a sample
 * of meters against the pure TypeScript model.
 *
 *   npm run bench:usage -- [--meters 100000] [--months 25] [--reads-per-month 1]
 *
 * Starts its own QuestDB on free ports in a temporary directory, unless MW_QUESTDB_URL is set.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DateTime } from 'luxon';
import { silentLogger } from '../core/logger.ts';
import { calendarEdges } from '../core/usage/calendar.ts';
import { registerSegments, usageByPeriod } from '../core/usage/register-usage.ts';
import { ilpLine, writeIlp } from '../storage/ilp-http.ts';
import { migrate } from '../storage/migrations/index.ts';
import { ensureQuestdbJar } from '../storage/questdb/jar.ts';
import { ManagedQuestdb } from '../storage/questdb/managed-server.ts';
import { freePort } from '../storage/questdb/ports.ts';
import { SqlClient, sqlString, sqlTimestamp } from '../storage/sql.ts';
import { materializeMonthlyUsage, readMaterializedMonthlyUsage } from '../storage/usage/monthly-usage.ts';
import { waitForWalApplied } from '../storage/wal-visibility.ts';
import { fleetReads, meterIdOf, type FleetReplacement, type FleetRow } from './usage-fleet.ts';

const { values } = parseArgs({
  options: {
    meters: { type: 'string', default: '100000' },
    months: { type: 'string', default: '25' },
    'reads-per-month': { type: 'string', default: '1' },
    heap: { type: 'string', default: '1g' },
  },
});
const meters = Number(values.meters);
const months = Number(values.months);
const readsPerMonth = Number(values['reads-per-month']);
const zone = 'Asia/Shanghai';

function peakRssMiB(pid: number | 'self'): number | undefined {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.round(Number(m[1]) / 1024) : undefined;
  } catch {
    return undefined;
  }
}

async function main(): Promise<void> {
  const log = silentLogger();
  let server: ManagedQuestdb | undefined;
  let root: string | undefined;
  let httpUrl = process.env.MW_QUESTDB_URL;
  let pgUrl = process.env.MW_QUESTDB_PG_URL;
  if (!httpUrl) {
    const jar = await ensureQuestdbJar({ version: process.env.MW_QUESTDB_VERSION ?? '9.3.4', cacheDir: resolve(process.env.MW_CACHE_DIR ?? '.meterwatch/cache'), mavenRepo: 'https://repo1.maven.org/maven2', useMaven: true, log });
    root = mkdtempSync(join(tmpdir(), 'mw-bench-usage-'));
    server = new ManagedQuestdb({ jar, java: process.env.MW_JAVA ?? 'java', root, host: '127.0.0.1', httpPort: await freePort(), pgPort: await freePort(), healthPort: await freePort(), heap: values.heap, startTimeoutMs: 120_000, log });
    ({ httpUrl, pgUrl } = await server.start());
  }
  const sql = new SqlClient(pgUrl ?? `postgres://admin:quest@${new URL(httpUrl).hostname}:8812/qdb`, log);
  try {
    await migrate(sql, log);
    const firstMonth = DateTime.fromISO('2024-01-01T00:00', { zone }).toMillis();
    // One extra month of reads before the first benchmarked month, so it is fully covered.
    const replacements: FleetReplacement[] = [];
    const sample = new Map<string, FleetRow[]>([0, Math.floor(meters / 2), meters - 1].map((i) => [meterIdOf(i), []]));
    const loadStart = performance.now();
    let rows = 0;
    for (const monthRows of fleetReads({ meters, months: months + 2, readsPerMonth, firstMonth, zone }, replacements)) {
      for (let i = 0; i < monthRows.length; i += 100_000) {
        let body = '';
        for (const r of monthRows.slice(i, i + 100_000)) {
          body += ilpLine('readings', { ts: r.ts, symbols: { meter_id: r.meterId, source: 'handheld' }, fields: { reading: { kind: 'double', value: r.reading }, estimated: { kind: 'bool', value: r.estimated } } });
          sample.get(r.meterId)?.push(r);
        }
        await writeIlp(httpUrl, body);
      }
      rows += monthRows.length;
    }
    const swapLines = replacements.map((s) => ilpLine('meter_replacements', { ts: s.ts, symbols: { meter_id: s.meterId }, fields: { final_reading: { kind: 'double', value: s.finalReading }, new_reading: { kind: 'double', value: s.newReading } } }));
    await writeIlp(httpUrl, swapLines.join(''));
    await waitForWalApplied(sql, 'readings', 1_800_000);
    await waitForWalApplied(sql, 'meter_replacements', 60_000);
    const loadMs = performance.now() - loadStart;

    const from = DateTime.fromMillis(firstMonth, { zone }).plus({ months: 1 }).toMillis();
    const to = DateTime.fromMillis(from, { zone }).plus({ months }).toMillis();
    const t0 = performance.now();
    await materializeMonthlyUsage(sql, { from, to, zone });
    const computeMs = performance.now() - t0;
    const [count] = await sql.query<{ n: string }>(`SELECT count() n FROM usage_monthly WHERE month_start >= ${sqlTimestamp(from)} AND month_start < ${sqlTimestamp(to)}`);

    const t1 = performance.now();
    const lastMonth = DateTime.fromMillis(to, { zone }).minus({ months: 1 }).toMillis();
    const oneMonth = await readMaterializedMonthlyUsage(sql, lastMonth, to);
    const readMonthMs = performance.now() - t1;

    // Cross-check sample meters against the TypeScript reference model.
    let maxDiff = 0;
    for (const [meterId, reads] of sample) {
      const swaps = replacements.filter((s) => s.meterId === meterId);
      const ref = usageByPeriod(registerSegments(reads, swaps.map((s) => ({ ...s }))), calendarEdges(from, to, 'month', zone));
      const got = await sql.query<{ usage: number; month_start: number }>(`SELECT month_start, usage FROM usage_monthly WHERE meter_id = ${sqlString(meterId)} ORDER BY month_start`);
      if (got.length !== ref.length) throw new Error(`${meterId}: ${got.length} months stored, reference has ${ref.length}`);
      got.forEach((g, i) => (maxDiff = Math.max(maxDiff, Math.abs(g.usage - (ref[i]?.usage ?? NaN)))));
    }
    const result = {
      meters,
      months,
      readsPerMonth,
      readingRows: rows,
      replacements: replacements.length,
      loadSeconds: +(loadMs / 1000).toFixed(1),
      computeSeconds: +(computeMs / 1000).toFixed(2),
      usageRows: Number(count?.n),
      readOneMonthSeconds: +(readMonthMs / 1000).toFixed(2),
      oneMonthRows: oneMonth.length,
      sampleMaxAbsDiffM3: maxDiff,
      nodePeakRssMiB: peakRssMiB('self'),
      questdbPeakRssMiB: server?.javaPid ? peakRssMiB(server.javaPid) : undefined,
      questdbHeap: server ? values.heap : 'external',
    };
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    if (maxDiff > 1e-6) throw new Error(`SQL and TypeScript month usage differ by ${maxDiff} m³`);
  } finally {
    await sql.close();
    await server?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:usage failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
