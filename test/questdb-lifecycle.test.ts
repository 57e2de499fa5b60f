import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { ErrorCodes } from '../core/errors.ts';
import { silentLogger } from '../core/logger.ts';
import { ManagedQuestdb } from '../storage/questdb/managed-server.ts';
import { freePort } from '../storage/questdb/ports.ts';
import { SqlClient } from '../storage/sql.ts';
import { eventually, javaProcessesMentioning } from './support/questdb.ts';

const roots: string[] = [];
afterAll(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

async function newServer(root?: string, jar = inject('questdbJar')): Promise<ManagedQuestdb> {
  const dir = root ?? mkdtempSync(join(tmpdir(), 'mw-life-'));
  roots.push(dir);
  return new ManagedQuestdb({
    jar,
    java: 'java',
    root: dir,
    host: '127.0.0.1',
    httpPort: await freePort(),
    pgPort: await freePort(),
    healthPort: await freePort(),
    heap: '512m',
    startTimeoutMs: 90_000,
    log: silentLogger(),
  });
}

describe('managed QuestDB lifecycle', () => {
  it('starts, is ready for SQL, keeps data across a restart on the same directory, and stops without leaving a process', async () => {
    const first = await newServer();
    const endpoints = await first.start();
    const pid = first.javaPid;
    expect(pid).toBeGreaterThan(0);
    let sql = new SqlClient(endpoints.pgUrl, silentLogger());
    await sql.exec('CREATE TABLE survivors (ts TIMESTAMP, name VARCHAR) TIMESTAMP(ts) PARTITION BY DAY WAL');
    await sql.exec("INSERT INTO survivors VALUES ('2026-11-27T00:00:00Z', 'kept')");
    await eventually(async () => (await sql.query('SELECT * FROM survivors')).length === 1);
    await sql.close();
    await first.stop();
    expect(await javaProcessesMentioning(first.root)).toEqual([]);

    const second = await newServer(first.root);
    const again = await second.start();
    sql = new SqlClient(again.pgUrl, silentLogger());
    const rows = await sql.query<{ name: string; ts: number }>('SELECT * FROM survivors');
    expect(rows).toEqual([{ name: 'kept', ts: Date.UTC(2026, 10, 27) }]);
    await sql.close();
    await second.stop();
    expect(await javaProcessesMentioning(first.root)).toEqual([]);
  });

  it('does not outlive a parent that is killed with SIGKILL', async () => {
    const root = mkdtempSync(join(tmpdir(), 'mw-orphan-'));
    roots.push(root);
    const script = join(root, 'parent.mts');
    const here = process.cwd();
    writeFileSync(
      script,
      `import { ManagedQuestdb } from '${here}/storage/questdb/managed-server.ts';
       import { silentLogger } from '${here}/core/logger.ts';
       const s = new ManagedQuestdb({ jar: ${JSON.stringify(inject('questdbJar'))}, java: 'java', root: ${JSON.stringify(join(root, 'q'))},
         host: '127.0.0.1', httpPort: ${await freePort()}, pgPort: ${await freePort()}, healthPort: ${await freePort()},
         heap: '512m', startTimeoutMs: 90000, log: silentLogger() });
       await s.start();
       process.stdout.write('ready\\n');
       setInterval(() => {}, 1000);`,
    );
    // One node process (tsx as a loader, not as a wrapper) so SIGKILL hits the real parent.
    const parent = spawn(process.execPath, ['--import', 'tsx', script], { cwd: here, stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolveReady, reject) => {
      parent.stdout.on('data', (d: Buffer) => d.toString().includes('ready') && resolveReady());
      parent.once('exit', (code) => reject(new Error(`parent exited early with ${code}`)));
    });
    expect((await javaProcessesMentioning(join(root, 'q'))).length).toBe(1);
    process.kill(parent.pid!, 'SIGKILL');
    await eventually(async () => (await javaProcessesMentioning(join(root, 'q'))).length === 0, 40_000, 250);
  });

  it('names the port and the setting when a port is taken', async () => {
    const blocker = createServer();
    const port = await freePort();
    await new Promise<void>((r) => blocker.listen(port, '127.0.0.1', () => r()));
    const s = await newServer();
    (s as unknown as { opts: { pgPort: number } }).opts.pgPort = port;
    await expect(s.start()).rejects.toMatchObject({ code: ErrorCodes.PORT_IN_USE, message: expect.stringContaining('MW_QUESTDB_PG_PORT') });
    await new Promise<void>((r) => blocker.close(() => r()));
  });

  it('shows the tail of the QuestDB log when it fails to start', async () => {
    const s = await newServer(undefined, '/nonexistent/questdb.jar');
    const err = await s.start().catch((e: unknown) => e);
    expect(err).toMatchObject({ code: ErrorCodes.QUESTDB_START_FAILED });
    expect((err as Error).message).toMatch(/last lines of .*questdb\.log/);
    expect((err as Error).message).toMatch(/questdb/i);
    expect(await javaProcessesMentioning(s.root)).toEqual([]);
  });
});
