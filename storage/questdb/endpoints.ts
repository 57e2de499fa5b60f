/** Where meterwatch reaches QuestDB: REST/ILP over HTTP, and PG wire for SQL. */
export interface QuestdbEndpoints {
  readonly httpUrl: string;
  readonly pgUrl: string;
}

/** Endpoints of an existing QuestDB given by MW_QUESTDB_URL (and optionally MW_QUESTDB_PG_URL). */
export function externalEndpoints(httpUrl: string, pgUrl?: string): QuestdbEndpoints {
  const u = new URL(httpUrl);
  return Object.freeze({
    httpUrl: httpUrl.replace(/\/+$/, ''),
    pgUrl: pgUrl ?? `postgres://admin:quest@${u.hostname}:8812/qdb`,
  });
}

export function localEndpoints(host: string, httpPort: number, pgPort: number): QuestdbEndpoints {
  const h = host === '0.0.0.0' ? '127.0.0.1' : host;
  return Object.freeze({ httpUrl: `http://${h}:${httpPort}`, pgUrl: `postgres://admin:quest@${h}:${pgPort}/qdb` });
}

/** Resolves when QuestDB answers `SELECT 1` over HTTP, or rejects after `timeoutMs`. */
export async function waitForSql(httpUrl: string, timeoutMs: number, isAlive: () => boolean = () => true): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError = 'no answer yet';
  while (Date.now() < deadline) {
    if (!isAlive()) throw new Error('the QuestDB process exited');
    try {
      const res = await fetch(`${httpUrl}/exec?query=${encodeURIComponent('SELECT 1')}`, { signal: AbortSignal.timeout(2_000) });
      if (res.ok) return;
      lastError = `HTTP ${res.status}`;
    } catch (err) {
      lastError = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`QuestDB at ${httpUrl} not ready after ${timeoutMs} ms (${lastError})`);
}
