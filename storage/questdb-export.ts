import { request as httpRequest } from 'node:http';
import { StringDecoder } from 'node:string_decoder';
import { ErrorCodes, MeterwatchError } from '../core/errors.ts';

/**
 * Streams a query's result from QuestDB's HTTP `/exp` endpoint as CSV, one callback per
 * row with the fields as text ('' for NULL). For results of millions of rows: QuestDB
 * writes the text on its own threads, and parsing CSV here costs a fraction of decoding the
 * same rows from the PG wire (measured at 100k meters × 25 months, benchmarks/README.md).
 * Returns the number of rows. `timeoutMs`: QuestDB aborts the query when it runs longer (its
 * `Statement-Timeout` header; unset: the server's query.timeout, 60 s by default) and answers
 * 400, which rejects here.
 */
export function exportRows(httpUrl: string, query: string, onRow: (fields: string[]) => void, timeoutMs?: number): Promise<number> {
  const url = `${httpUrl.replace(/\/$/, '')}/exp?query=${encodeURIComponent(query)}`;
  return new Promise((resolveExport, rejectExport) => {
    const fail = (message: string, cause?: unknown) => rejectExport(new MeterwatchError(ErrorCodes.STORAGE, message, cause === undefined ? {} : { cause }));
    const headers: Record<string, string> = timeoutMs === undefined ? {} : { 'Statement-Timeout': String(Math.round(timeoutMs)) };
    const req = httpRequest(url, { method: 'GET', headers }, (res) => {
      const status = res.statusCode ?? 0;
      if (status !== 200) {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => fail(`QuestDB /exp answered ${status}: ${Buffer.concat(chunks).toString('utf8').slice(0, 500)}`));
        return;
      }
      const decoder = new StringDecoder('utf8');
      let rest = '';
      let header = true;
      let rows = 0;
      const take = (text: string) => {
        let start = 0;
        for (;;) {
          const nl = text.indexOf('\n', start);
          if (nl < 0) break;
          let line = text.slice(start, nl);
          start = nl + 1;
          if (line.endsWith('\r')) line = line.slice(0, -1);
          if (header) {
            header = false;
            continue;
          }
          if (line.length === 0) continue;
          onRow(parseCsvLine(line));
          rows++;
        }
        return text.slice(start);
      };
      res.on('data', (chunk: Buffer) => {
        try {
          rest = take(rest + decoder.write(chunk));
        } catch (err) {
          res.destroy();
          fail(`reading QuestDB /exp failed: ${(err as Error).message}`, err);
        }
      });
      res.on('error', (err) => fail(`QuestDB /exp failed: ${err.message}`, err));
      res.on('end', () => {
        try {
          const tail = rest + decoder.end();
          if (tail.length > 0) take(`${tail}\n`);
          resolveExport(rows);
        } catch (err) {
          fail(`reading QuestDB /exp failed: ${(err as Error).message}`, err);
        }
      });
    });
    req.on('error', (err) => fail(`QuestDB /exp unreachable: ${err.message}`, err));
    req.end();
  });
}

/** One CSV line (RFC 4180 quoting, no line breaks inside fields: the edge refuses them). */
export function parseCsvLine(line: string): string[] {
  if (!line.includes('"')) return line.split(',');
  const out: string[] = [];
  let i = 0;
  for (;;) {
    if (line[i] === '"') {
      let value = '';
      i++;
      for (;;) {
        const q = line.indexOf('"', i);
        if (q < 0) throw new Error(`unterminated quoted field in ${JSON.stringify(line.slice(0, 200))}`);
        value += line.slice(i, q);
        if (line[q + 1] === '"') {
          value += '"';
          i = q + 2;
          continue;
        }
        i = q + 1;
        break;
      }
      out.push(value);
    } else {
      const comma = line.indexOf(',', i);
      out.push(line.slice(i, comma < 0 ? line.length : comma));
      i = comma < 0 ? line.length : comma;
    }
    if (i >= line.length) return out;
    i++; // the comma
    if (i === line.length) {
      out.push('');
      return out;
    }
  }
}
