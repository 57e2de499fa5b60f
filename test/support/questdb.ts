import { inject } from 'vitest';
import { silentLogger } from '../../core/logger.ts';
import { SqlClient } from '../../storage/sql.ts';
import type { QuestdbEndpoints } from '../../storage/questdb/endpoints.ts';

/** The run's shared QuestDB (test/support/global-setup.ts). */
export function sharedEndpoints(): QuestdbEndpoints {
  return { httpUrl: inject('questdbHttpUrl'), pgUrl: inject('questdbPgUrl') };
}

export function sharedSql(): SqlClient {
  return new SqlClient(inject('questdbPgUrl'), silentLogger());
}

/** Polls `probe` until it returns true (WAL tables become visible a moment after commit). */
export async function eventually(probe: () => Promise<boolean>, timeoutMs = 15_000, stepMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await probe()) return;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
}

/** Lists java processes whose command line mentions `text` (a data directory). */
export async function javaProcessesMentioning(text: string): Promise<number[]> {
  const { readdirSync, readFileSync } = await import('node:fs');
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      const status = readFileSync(`/proc/${entry}/status`, 'utf8');
      if (/^State:\s+Z/m.test(status)) continue;
      if (cmd[0]?.endsWith('java') && cmd.some((a) => a.includes(text))) pids.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return pids;
}
