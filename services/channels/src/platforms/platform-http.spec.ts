import { createServer, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { callPlatform } from './platform-http';

/** A misbehaving platform: each path answers one way a partner API can go wrong. */
function answer(path: string, response: ServerResponse): void {
  switch (path) {
    case '/large':
      // No Content-Length: the cap has to hold while streaming.
      response.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
      response.write('['.padEnd(64 * 1024, ' '));
      response.end(' '.repeat(64 * 1024) + ']');
      return;
    case '/declared-large':
      response.writeHead(200, { 'Content-Length': String(10 * 1024 * 1024) });
      response.end();
      return;
    case '/redirect':
      response.writeHead(302, { Location: 'https://elsewhere.example/' });
      response.end();
      return;
    case '/latin1':
      response.writeHead(200);
      response.end(Buffer.from([0x7b, 0xe9, 0x7d]));
      return;
    case '/slow':
      setTimeout(() => response.end('{}'), 1000);
      return;
    case '/throttled':
      response.writeHead(429);
      response.end(JSON.stringify({ errors: 'Exceeded 2 calls per second for api client.' }));
      return;
    default:
      response.writeHead(403);
      response.end(JSON.stringify({ message: 'missing scope' }));
  }
}

describe('callPlatform', () => {
  let server: Server;
  let base: string;

  beforeAll(async () => {
    server = createServer((request, response) => answer(request.url ?? '/', response));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const get = (path: string, maxBytes?: number) =>
    callPlatform('Test', { url: `${base}${path}`, method: 'GET', timeoutMs: 300, maxBytes });

  it('refuses an answer past the cap, streamed or declared, as failed', async () => {
    expect(await get('/large', 100 * 1024)).toEqual({
      ok: false,
      problem: { status: 'failed', reason: expect.stringContaining('larger than 102400 bytes') },
    });
    expect(await get('/declared-large')).toMatchObject({ ok: false, problem: { status: 'failed' } });
    expect(await get('/large')).toMatchObject({ ok: true, status: 200 });
  });

  it('refuses redirects, does not follow them', async () => {
    expect(await get('/redirect')).toMatchObject({
      ok: false,
      problem: { status: 'failed', reason: expect.stringContaining('HTTP 302') },
    });
  });

  it('is retry on text that is not UTF-8, a timeout and a 429; failed on a 403 with the message', async () => {
    expect(await get('/latin1')).toMatchObject({ ok: false, problem: { status: 'retry' } });
    expect(await get('/slow')).toEqual({
      ok: false,
      problem: { status: 'retry', reason: 'Test: no answer within the timeout' },
    });
    expect(await get('/throttled')).toMatchObject({
      ok: false,
      problem: { status: 'retry', reason: expect.stringContaining('Exceeded 2 calls') },
    });
    expect(await get('/forbidden')).toEqual({
      ok: false,
      problem: {
        status: 'failed',
        reason: 'Test answered HTTP 403: missing scope (check the credentials and scopes)',
      },
    });
  });
});
