/**
 * Starts meterwatch as a separate process (`tsx main.ts start`, as a user would) on free ports
 * with a throw-away data directory, and samples the memory of its process tree. Benchmarks
 * talk to it only from outside (architecture.md: benchmarks use core types only).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from '../storage/questdb/ports.ts';

export interface RunningSystem {
  httpUrl: string;
  mqttUrl: string;
  pgUrl: string;
  /** peak resident memory seen so far, MiB, per process kind */
  peaks: { meterwatch: number; questdb: number };
  sample(): void;
  stop(): Promise<void>;
}

export async function startSystemUnderTest(opts: { root: string; cacheDir: string; heap: string; log?: (s: string) => void }): Promise<RunningSystem> {
  const dataDir = mkdtempSync(join(tmpdir(), 'mw-bench-'));
  const ports = { http: await freePort(), mqtt: await freePort(), qhttp: await freePort(), qpg: await freePort(), qhealth: await freePort() };
  const env = {
    ...process.env,
    MW_DATA_DIR: dataDir,
    MW_CACHE_DIR: resolve(opts.cacheDir),
    MW_HTTP_HOST: '127.0.0.1',
    MW_HTTP_PORT: String(ports.http),
    MW_MQTT_HOST: '127.0.0.1',
    MW_MQTT_PORT: String(ports.mqtt),
    MW_QUESTDB_HTTP_PORT: String(ports.qhttp),
    MW_QUESTDB_PG_PORT: String(ports.qpg),
    MW_QUESTDB_HEALTH_PORT: String(ports.qhealth),
    MW_QUESTDB_HEAP: opts.heap,
    MW_SIMULATE: 'false',
    MW_LOG_LEVEL: 'warn',
  };
  delete (env as Record<string, string | undefined>).MW_QUESTDB_URL;
  const child: ChildProcess = spawn(join(opts.root, 'node_modules/.bin/tsx'), ['main.ts', 'start'], { cwd: opts.root, env, stdio: ['ignore', 'inherit', 'inherit'] });
  let exited = false;
  child.once('exit', () => (exited = true));
  const httpUrl = `http://127.0.0.1:${ports.http}`;
  const deadline = Date.now() + 240_000;
  for (;;) {
    if (exited) throw new Error('meterwatch exited before it became healthy');
    try {
      const res = await fetch(`${httpUrl}/api/health`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error('meterwatch did not become healthy within 240 s');
    await new Promise((r) => setTimeout(r, 500));
  }
  const peaks = { meterwatch: 0, questdb: 0 };
  const sample = () => {
    for (const p of descendants(child.pid!)) {
      const kind = p.cmd.includes('java') ? 'questdb' : p.cmd.includes('main.ts') ? 'meterwatch' : undefined;
      if (kind) peaks[kind] = Math.max(peaks[kind], p.hwmMiB);
    }
  };
  sample();
  return {
    httpUrl,
    mqttUrl: `mqtt://127.0.0.1:${ports.mqtt}`,
    pgUrl: `postgres://admin:quest@127.0.0.1:${ports.qpg}/qdb`,
    peaks,
    sample,
    async stop() {
      sample();
      if (!exited) {
        child.kill('SIGINT');
        const t = Date.now();
        while (!exited && Date.now() - t < 60_000) await new Promise((r) => setTimeout(r, 200));
        if (!exited) child.kill('SIGKILL');
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The process tree under `root`, with each process's peak resident set (VmHWM). */
function descendants(root: number): { pid: number; cmd: string; hwmMiB: number }[] {
  const parent = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parent.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone
    }
  }
  const out: { pid: number; cmd: string; hwmMiB: number }[] = [];
  for (const pid of parent.keys()) {
    let p: number | undefined = pid;
    while (p !== undefined && p > 1 && p !== root) p = parent.get(p);
    if (p !== root) continue;
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
      const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      out.push({ pid, cmd, hwmMiB: hwm ? Math.round(Number(hwm[1]) / 1024) : 0 });
    } catch {
      // gone
    }
  }
  return out;
}
