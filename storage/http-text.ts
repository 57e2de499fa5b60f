import { request as httpRequest, type Agent } from 'node:http';

/**
 * One HTTP request with a text body, answering the status and the whole response text.
 * node:http, not fetch: fetch copies a large body through web streams (costly for the
 * batch pass's ILP writes) and gives up waiting for headers after 300 s.
 */
export function requestText(url: string, opts: { method: string; body?: string | Uint8Array; headers?: Record<string, string>; agent?: Agent }): Promise<{ status: number; text: string }> {
  const payload = opts.body === undefined ? undefined : typeof opts.body === 'string' ? Buffer.from(opts.body, 'utf8') : opts.body;
  const headers: Record<string, string | number> = { ...opts.headers };
  if (payload) headers['content-length'] = payload.length;
  return new Promise((resolveRequest, rejectRequest) => {
    const req = httpRequest(url, { method: opts.method, headers, ...(opts.agent ? { agent: opts.agent } : {}) }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', rejectRequest);
      res.on('end', () => resolveRequest({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', rejectRequest);
    req.end(payload);
  });
}
