import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../core/logger.ts';
import { RegistryCache } from '../analytics/stream/registry-cache.ts';
import { registryLine, writeIlp } from './support/ilp.ts';
import { eventually, sharedSql } from './support/questdb.ts';

// The stream rules' registry copy is reloaded only when its tables changed (a full reload
// of a city fleet's registry costs seconds of CPU; issue: analytics, item 6).
const sql = sharedSql();
const P = 'RRC-';

afterAll(() => sql.close());

describe('stream registry copy', () => {
  it('skips the reload while nothing changed, reloads on a new registry row and when a dated change takes effect', async () => {
    const cache = new RegistryCache(sql, silentLogger());
    await cache.refresh();
    const generation = cache.generation;
    await cache.refreshIfStale(0);
    await cache.refreshIfStale(0);
    expect(cache.stats.checks).toBe(2);
    expect(cache.generation).toBe(generation); // nothing changed: no reload

    await writeIlp([registryLine({ meterId: `${P}1`, ts: Date.now() - 60_000, category: 'residential', kind: 'smart', status: 'active', qmax: 6 })]);
    await eventually(async () => {
      await cache.refreshIfStale(0);
      return cache.knows(`${P}1`);
    }, 60_000);
    expect(cache.generation).toBeGreaterThan(generation);

    // A status change written now but effective in 2 s: the copy (as of now) still says active,
    // then follows without any further write.
    await writeIlp([registryLine({ meterId: `${P}1`, ts: Date.now() + 2_000, category: 'residential', kind: 'smart', status: 'suspended', qmax: 6 })]);
    await eventually(async () => {
      await cache.refreshIfStale(0);
      return cache.lookup(`${P}1`)?.status === 'suspended';
    }, 60_000);
  }, 120_000);
});
