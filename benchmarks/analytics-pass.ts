/**
 * Speed of one full batch analytics pass (issue: analytics, item 6: 100k meters × 25 months
 * in under 30 s). Loads a synthetic fleet of monthly handheld reads (benchmarks/usage-fleet.ts)
 * and its registry straight into a QuestDB over ILP (set-up, not measured), then starts the
 * whole meterwatch against that QuestDB (MW_QUESTDB_URL) and times POST /api/analytics/run
 * from outside: the first pass (raises every alert) and a second one (raises nothing new).
 *
 *   npm run bench:analytics-pass -- [--meters 100000] [--months 25] [--passes 3] [--settle-s 60]
 *     [--data-dir DIR]   keep the loaded QuestDB there and reuse it next time (loading takes minutes)
 *     [--out FILE]       also write the result JSON to FILE
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DateTime } from 'luxon';
import { silentLogger } from '../core/logger.ts';
import { ilpLine, writeIlp } from '../storage/ilp-http.ts';
import { migrate } from '../storage/migrations/index.ts';
import { ensureQuestdbJar } from '../storage/questdb/jar.ts';
import { ManagedQuestdb } from '../storage/questdb/managed-server.ts';
import { freePort } from '../storage/questdb/ports.ts';
import { SqlClient } from '../storage/sql.ts';
import { waitForWalApplied } from '../storage/wal-visibility.ts';
import { postJson, startSystem } from './support/system.ts';
import { cpuSeconds } from './support/cpu-time.ts';
import { peakRssMiB } from './support/proc-stats.ts';
import { fleetReads, meterIdOf, type FleetReplacement } from './usage-fleet.ts';

const { values } = parseArgs({ options: { meters: { type: 'string', default: '100000' }, months: { type: 'string', default: '25' }, heap: { type: 'string', default: '2g' }, 'data-dir': { type: 'string' }, passes: { type: 'string', default: '3' }, 'settle-s': { type: 'string', default: '60' }, out: { type: 'string' } } });
const meters = Number(values.meters);
const months = Number(values.months);
const zone = 'Asia/Shanghai';
const CATEGORIES = ['residential', 'residential', 'residential', 'residential', 'residential', 'residential', 'commercial', 'collective', 'residential_bulk', 'industrial'];

async function main(): Promise<void> {
  const log = silentLogger();
  const jar = await ensureQuestdbJar({ version: '9.3.4', cacheDir: resolve(process.env.MW_CACHE_DIR ?? '.meterwatch/cache'), mavenRepo: 'https://repo1.maven.org/maven2', useMaven: true, log });
  // --data-dir keeps the loaded QuestDB between runs (loading 100k × 25 takes minutes): a
  // directory that already holds this fleet is reused as it is, without loading again.
  const keep = values['data-dir'] !== undefined;
  const root = keep ? resolve(values['data-dir']!) : mkdtempSync(join(tmpdir(), 'mw-bench-pass-'));
  mkdirSync(root, { recursive: true });
  const server = new ManagedQuestdb({ jar, java: 'java', root, host: '127.0.0.1', httpPort: await freePort(), pgPort: await freePort(), healthPort: await freePort(), heap: values.heap, startTimeoutMs: 120_000, log });
  const { httpUrl, pgUrl } = await server.start();
  const sql = new SqlClient(pgUrl, log);
  try {
    await migrate(sql, log);
    const firstMonth = DateTime.fromISO('2024-01-01T00:00', { zone }).toMillis();
    const asOf = DateTime.fromMillis(firstMonth, { zone }).plus({ months: months + 1 }).toMillis();
    const loaded = join(root, 'meterwatch-fleet.json');
    const fleetKey = JSON.stringify({ meters, months });
    let rows = meters * (months + 2);
    let replacementCount = 0;
    const t0 = performance.now();
    const reused = keep && existsSync(loaded) && readFileSync(loaded, 'utf8') === fleetKey;
    if (reused) {
      // QuestDB was just started on the kept directory, where a loaded fleet finds it running
      // (its JIT warmed by the load). Warm it the same way with a pass over the first year,
      // by a meterwatch that is then stopped: the timed first pass is a fresh process's.
      const warm = await startSystem({ MW_QUESTDB_URL: httpUrl, MW_QUESTDB_PG_URL: pgUrl });
      try {
        await postJson(`${warm.url}/api/analytics/run`, { asOf: DateTime.fromMillis(firstMonth, { zone }).plus({ months: 13 }).toMillis() });
      } finally {
        await warm.stop();
      }
      // a fresh first pass: no alert of an earlier run is known
      for (const table of ['alerts', 'ledger_events']) await sql.exec(`TRUNCATE TABLE ${table}`);
      // QuestDB applies what the warm-up wrote and the truncation before it is idle again.
      for (const table of ['alerts', 'ledger_events']) await waitForWalApplied(sql, table, 600_000);
      await new Promise((r) => setTimeout(r, Number(values['settle-s']) * 1000));
    } else {
      const registry: string[] = [];
      for (let i = 0; i < meters; i++) {
        registry.push(ilpLine('meter_registry', { ts: firstMonth - 86_400_000, symbols: { meter_id: meterIdOf(i), customer_id: `C${i}`, category: CATEGORIES[i % CATEGORIES.length]!, kind: 'mechanical', status: 'active', district: `D${i % 20}`, route: `R${i % 400}` }, fields: { qmax: { kind: 'double', value: 6 } } }));
      }
      for (let i = 0; i < registry.length; i += 50_000) await writeIlp(httpUrl, registry.slice(i, i + 50_000).join(''));
      const replacements: FleetReplacement[] = [];
      rows = 0;
      for (const monthRows of fleetReads({ meters, months: months + 2, readsPerMonth: 1, firstMonth, zone }, replacements)) {
        for (let i = 0; i < monthRows.length; i += 100_000) {
          let body = '';
          for (const r of monthRows.slice(i, i + 100_000)) body += ilpLine('readings', { ts: r.ts, symbols: { meter_id: r.meterId, source: 'handheld' }, fields: { reading: { kind: 'double', value: r.reading }, estimated: { kind: 'bool', value: r.estimated } } });
          await writeIlp(httpUrl, body);
        }
        rows += monthRows.length;
      }
      await writeIlp(httpUrl, replacements.map((s) => ilpLine('meter_replacements', { ts: s.ts, symbols: { meter_id: s.meterId }, fields: { final_reading: { kind: 'double', value: s.finalReading }, new_reading: { kind: 'double', value: s.newReading } } })).join(''));
      for (const t of ['readings', 'meter_registry', 'meter_replacements']) await waitForWalApplied(sql, t, 1_800_000);
      replacementCount = replacements.length;
      if (keep) writeFileSync(loaded, fleetKey);
    }
    const loadSeconds = +((performance.now() - t0) / 1000).toFixed(1);

    const system = await startSystem({ MW_QUESTDB_URL: httpUrl, MW_QUESTDB_PG_URL: pgUrl });
    try {
      const passes = [];
      for (let k = 0; k < Number(values.passes); k++) {
        // Let the previous pass's fan-out (ledger, MQTT) finish: each pass is timed on its own.
        if (k > 0) await new Promise((r) => setTimeout(r, Number(values['settle-s']) * 1000));
        const loadBefore = readFileSync('/proc/loadavg', 'utf8').split(' ')[0];
        const c0 = cpuSeconds(system.pid);
        const q0 = cpuSeconds(server.javaPid);
        const w0 = performance.now();
        const s = (await postJson(`${system.url}/api/analytics/run`, { asOf })) as { durationMs: number; phasesMs: Record<string, number>; raised: number; updated: number; unchanged: number; candidates: Record<string, number> };
        const cpu = (end: number | undefined, start: number | undefined) => (end !== undefined && start !== undefined ? +(end - start).toFixed(1) : undefined);
        passes.push({
          wallSeconds: +((performance.now() - w0) / 1000).toFixed(2),
          cpuSeconds: { meterwatch: cpu(cpuSeconds(system.pid), c0), questdb: cpu(cpuSeconds(server.javaPid), q0) },
          loadAverage: { before: Number(loadBefore), after: Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]) },
          durationMs: s.durationMs,
          phasesMs: s.phasesMs,
          raised: s.raised,
          updated: s.updated,
          unchanged: s.unchanged,
          candidates: s.candidates,
        });
        process.stderr.write(`pass ${k + 1}: ${JSON.stringify(passes[passes.length - 1])}\n`);
      }
      const result = { at: new Date().toISOString(), meters, months, readingRows: rows, replacements: replacementCount, loadSeconds, passes, meterwatchPeakRssMiB: system.pid ? peakRssMiB(system.pid) : undefined, questdbPeakRssMiB: server.javaPid ? peakRssMiB(server.javaPid) : undefined, machine: `${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB` };
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      if (values.out) writeFileSync(values.out, `${JSON.stringify(result, null, 2)}\n`);
    } finally {
      await system.stop();
    }
  } finally {
    await sql.close();
    await server.stop();
    if (!keep) rmSync(root, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:analytics-pass failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
