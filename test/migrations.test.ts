import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../core/logger.ts';
import { MIGRATIONS, migrate } from '../storage/migrations/index.ts';
import { eventually, sharedSql } from './support/questdb.ts';

const sql = sharedSql();
afterAll(() => sql.close());

async function schemaSnapshot(): Promise<string> {
  const tables = await sql.query<{ table_name: string; walEnabled: boolean; dedup: boolean; partitionBy: string }>(
    'SELECT table_name, walEnabled, dedup, partitionBy FROM tables() ORDER BY table_name',
  );
  const columns: string[] = [];
  for (const t of tables) {
    const cols = await sql.query<{ column: string; type: string; upsertKey: boolean }>(`SELECT "column", type, upsertKey FROM table_columns('${t.table_name}')`);
    columns.push(`${t.table_name}: ${cols.map((c) => `${c.column} ${c.type}${c.upsertKey ? ' KEY' : ''}`).join(', ')}`);
  }
  return JSON.stringify({ tables, columns });
}

describe('schema migrations', () => {
  it('are idempotent: a second and third run apply nothing and change nothing', async () => {
    const before = await schemaSnapshot();
    const second = await migrate(sql, silentLogger());
    const third = await migrate(sql, silentLogger());
    expect(second.applied).toEqual([]);
    expect(third.applied).toEqual([]);
    expect(second.current).toBe(Math.max(...MIGRATIONS.map((m) => m.version)));
    expect(await schemaSnapshot()).toBe(before);
    const ledger = await sql.query('SELECT version FROM mw_migrations');
    expect(ledger.length).toBe(MIGRATIONS.length);
  });

  it('creates every table of the public interface as WAL with dedup keys', async () => {
    const tables = await sql.query<{ table_name: string; walEnabled: boolean; dedup: boolean }>('SELECT table_name, walEnabled, dedup FROM tables()');
    const byName = new Map(tables.map((t) => [t.table_name, t]));
    for (const name of ['readings', 'meter_registry', 'alerts', 'rejected_records', 'ic_purchases', 'ledger_events', 'blacklist_events', 'adjustments']) {
      expect(byName.get(name), name).toMatchObject({ walEnabled: true, dedup: true });
    }
    const keys = await sql.query<{ column: string }>("SELECT \"column\" FROM table_columns('readings') WHERE upsertKey");
    expect(keys.map((k) => k.column).sort()).toEqual(['meter_id', 'ts']);
  });

  it('stores a reading sent twice once (dedup on ts, meter_id)', async () => {
    for (let i = 0; i < 2; i++) {
      await sql.exec("INSERT INTO readings (ts, meter_id, reading, source) VALUES ('2020-01-01T00:00:00Z', 'MIG-DEDUP', 10.5, 'http')");
    }
    await sql.exec("INSERT INTO readings (ts, meter_id, reading, source) VALUES ('2020-01-01T01:00:00Z', 'MIG-DEDUP', 11.0, 'http')");
    await eventually(async () => (await sql.query("SELECT * FROM readings WHERE meter_id = 'MIG-DEDUP'")).length === 2);
    await new Promise((r) => setTimeout(r, 500));
    expect((await sql.query("SELECT * FROM readings WHERE meter_id = 'MIG-DEDUP'")).length).toBe(2);
  });

  it('has ILP auto-creation turned off in the managed server', async () => {
    const res = await fetch(`${(await import('vitest')).inject('questdbHttpUrl')}/write`, { method: 'POST', body: 'no_such_table,a=b v=1i\n' });
    expect(res.ok).toBe(false);
    const tables = await sql.query("SELECT table_name FROM tables() WHERE table_name = 'no_such_table'");
    expect(tables).toEqual([]);
  });
});
