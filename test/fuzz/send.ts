/**
 * Sends one fuzz case over real HTTP (node:http, keep-alive) and reads the whole answer, timing it. A body sent
 * `chunked` goes without a content-length, in 64 KiB pieces, as a streaming client would.
 */
import http from 'node:http';
import type { FuzzCase } from './case-generator.ts';

export interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** At most `maxBody` bytes of it. */
  body: Buffer;
  ms: number;
  /** The connection failed (reset, refused) or the answer did not come within the timeout. */
  transportError?: string;
}

/**
 * Sends a case; when a kept-alive connection turns out to have been closed by the server while idle (the race
 * Node's documentation describes: ECONNRESET on a reused socket before any answer), sends it once more on a fresh
 * connection. A reset on a fresh connection is the server's doing and is reported.
 */
export async function send(props: { base: URL; agent: http.Agent; c: FuzzCase; timeoutMs: number; maxBody?: number }): Promise<Answer> {
  const first = await sendOnce(props);
  if (first.reusedSocketReset) return sendOnce({ ...props, agent: false });
  return first;
}

function sendOnce(props: {
  base: URL;
  agent: http.Agent | false;
  c: FuzzCase;
  timeoutMs: number;
  maxBody?: number;
}): Promise<Answer & { reusedSocketReset?: boolean }> {
  const { base, agent, c, timeoutMs } = props;
  const maxBody = props.maxBody ?? 8 * 1024 * 1024;
  const started = performance.now();
  return new Promise((resolve) => {
    let settled = false;
    const done = (a: Omit<Answer, 'ms'> & { reusedSocketReset?: boolean }) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...a, ms: performance.now() - started });
    };
    const headers: Record<string, string | number> = { ...c.headers };
    if (c.body && !c.body.chunked) headers['content-length'] = c.body.data.length;
    // Node's client frames a GET or DELETE body only when told to: without this header the bytes would follow the
    // head unframed, and the server would read them as the next request.
    if (c.body?.chunked) headers['transfer-encoding'] = 'chunked';
    let req: http.ClientRequest;
    try {
      req = http.request({ host: base.hostname, port: base.port, method: c.method, path: c.url, headers, agent });
    } catch (error) {
      // The client library refused to send it (e.g. a character Node will not put on the wire): not the server's doing.
      done({ status: 0, headers: {}, body: Buffer.alloc(0), transportError: `client refused: ${(error as Error).message}` });
      return;
    }
    const timer = setTimeout(() => {
      req.destroy();
      done({ status: 0, headers: {}, body: Buffer.alloc(0), transportError: `no answer within ${timeoutMs} ms` });
    }, timeoutMs);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (d: Buffer) => {
        if (size < maxBody) chunks.push(d);
        size += d.length;
      });
      res.on('end', () => done({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', (e) =>
        done({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), transportError: `answer cut: ${e.message}` }),
      );
    });
    req.on('error', (e: NodeJS.ErrnoException) => {
      const reusedSocketReset = req.reusedSocket && e.code === 'ECONNRESET';
      done({ status: 0, headers: {}, body: Buffer.alloc(0), transportError: `${e.code ?? 'error'}: ${e.message}`, reusedSocketReset });
    });
    if (!c.body) req.end();
    else if (!c.body.chunked) req.end(c.body.data);
    else {
      // Write in pieces, waiting for drain; a server that answers early (413) may close before we are done.
      const data = c.body.data;
      let offset = 0;
      const pump = () => {
        while (offset < data.length) {
          const piece = data.subarray(offset, offset + 64 * 1024);
          offset += piece.length;
          if (!req.write(piece)) {
            req.once('drain', pump);
            return;
          }
        }
        req.end();
      };
      pump();
    }
  });
}
