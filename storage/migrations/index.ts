import { MeterwatchError, ErrorCodes } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import type { SqlClient } from '../sql.ts';
import { coreTables } from './001-core-tables.ts';
import { meterReplacements } from './020-meter-replacements.ts';
import { usageMonthly } from './021-usage-monthly.ts';
import { blacklistNotices } from './040-ledger.ts';
import { weatherDaily } from './060-weather.ts';
import type { Migration } from './migration.ts';

/** Every migration, in order. Append new ones; never edit one that has shipped. */
export const MIGRATIONS: readonly Migration[] = [coreTables, meterReplacements, usageMonthly, blacklistNotices, weatherDaily];

// Not partitioned, hence not WAL: a row is visible as soon as it is written, so a second
// run right after the first sees what the first applied.
const LEDGER_DDL = `CREATE TABLE IF NOT EXISTS mw_migrations (
  applied_at TIMESTAMP, version INT, name VARCHAR
) TIMESTAMP(applied_at) PARTITION BY NONE`;

export interface MigrationResult {
  applied: number[];
  current: number;
}

/** Applies the migrations not yet applied; running it twice changes nothing. */
export async function migrate(sql: SqlClient, log: Logger, migrations: readonly Migration[] = MIGRATIONS): Promise<MigrationResult> {
  await sql.exec(LEDGER_DDL);
  const done = new Set((await sql.query<{ version: number }>('SELECT version FROM mw_migrations')).map((r) => r.version));
  const applied: number[] = [];
  for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
    if (done.has(m.version)) continue;
    for (const statement of m.statements) {
      try {
        await sql.exec(statement);
      } catch (err) {
        throw new MeterwatchError(ErrorCodes.MIGRATION_FAILED, `migration ${m.version} (${m.name}) failed: ${(err as Error).message}\n${statement}`, { cause: err });
      }
    }
    await sql.exec(`INSERT INTO mw_migrations VALUES (now(), ${m.version}, '${m.name.replaceAll("'", "''")}')`);
    applied.push(m.version);
    log.info({ version: m.version, name: m.name }, 'migration applied');
  }
  const current = Math.max(0, ...done, ...applied);
  return { applied, current };
}
