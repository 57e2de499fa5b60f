import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../core/logger.ts';
import { Spool, SpoolFullError } from './spool.ts';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'mw-spool-'));
  dirs.push(d);
  return d;
}
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('Spool', () => {
  it('appends, survives a reopen, and replays oldest first', async () => {
    const dir = tempDir();
    const a = new Spool({ dir, maxBytes: 1e6, segmentBytes: 10, log: silentLogger() });
    await a.open();
    await a.append('t a=1 1\nt a=2 2\n', 2);
    await a.append('t a=3 3\n', 1);
    await a.close();
    const b = new Spool({ dir, maxBytes: 1e6, segmentBytes: 10, log: silentLogger() });
    await b.open();
    expect(b.rows).toBe(3);
    const first = await b.oldest();
    expect(first?.text).toBe('t a=1 1\nt a=2 2\n');
    await b.remove(first!.name);
    expect((await b.oldest())?.text).toBe('t a=3 3\n');
    expect(b.rows).toBe(1);
  });

  it('cuts a torn last line left by a crash', async () => {
    const dir = tempDir();
    const a = new Spool({ dir, maxBytes: 1e6, log: silentLogger() });
    await a.open();
    await a.append('t a=1 1\n', 1);
    await a.close();
    const seg = readdirSync(dir).find((n) => n.startsWith('seg-'))!;
    appendFileSync(join(dir, seg), 't a=2');
    const b = new Spool({ dir, maxBytes: 1e6, log: silentLogger() });
    await b.open();
    expect(b.rows).toBe(1);
    expect(readFileSync(join(dir, seg), 'utf8')).toBe('t a=1 1\n');
  });

  it('refuses an append past its limit instead of dropping', async () => {
    const s = new Spool({ dir: tempDir(), maxBytes: 10, log: silentLogger() });
    await s.open();
    await s.append('t a=1 1\n', 1);
    await expect(s.append('t a=2 2\n', 1)).rejects.toBeInstanceOf(SpoolFullError);
    expect(s.rows).toBe(1);
  });

  it('keeps refused lines in dead/refused.ilp', async () => {
    const dir = tempDir();
    const s = new Spool({ dir, maxBytes: 1e6, log: silentLogger() });
    await s.open();
    await s.deadLetter('bad line\n');
    await s.deadLetter('worse line\n');
    expect(readFileSync(join(dir, 'dead', 'refused.ilp'), 'utf8')).toBe('bad line\nworse line\n');
  });
});
