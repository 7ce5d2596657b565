import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ProviderTimeoutError, ProviderUnavailableError, withBoundedRetries } from './bounded-retry';
import { requestJson } from './request-json';

describe('requestJson', () => {
  let server: Server;
  let base: string;
  const seen: { contentType?: string; body: string }[] = [];

  beforeAll(async () => {
    server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        seen.push({ contentType: request.headers['content-type'], body: Buffer.concat(chunks).toString() });
        const answers: Record<string, [number, string]> = {
          '/ok': [201, '{"id":"x"}'],
          '/refused': [422, '{"error":{"code":"bad"}}'],
          '/down': [503, 'Service Unavailable'],
          '/html': [200, '<html>'],
        };
        if (request.url === '/slow') {
          setTimeout(() => response.end('{}'), 500);
          return;
        }
        const [status, text] = answers[request.url ?? ''] ?? [404, '{}'];
        response.writeHead(status, { 'Content-Type': 'application/json' }).end(text);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const call = (path: string, extra: Partial<Parameters<typeof requestJson>[0]> = {}) =>
    requestJson({ url: `${base}${path}`, method: 'POST', timeoutMs: 200, ...extra });

  it('answers with status and JSON body, a 4xx included (an answer, not a failure)', async () => {
    await expect(call('/ok', { json: { a: 1 } })).resolves.toMatchObject({ status: 201, body: { id: 'x' } });
    await expect(call('/refused')).resolves.toMatchObject({ status: 422, body: { error: { code: 'bad' } } });
  });

  it('hands back the raw text and the headers too, for answers signed over their exact bytes', async () => {
    const answer = await call('/ok', { json: { a: 1 } });
    expect(answer.text).toBe(JSON.stringify({ id: 'x' }));
    expect(answer.headers.get('content-type')).toContain('application/json');
  });

  it('sends JSON, or an already encoded body with its own content type', async () => {
    seen.length = 0;
    await call('/ok', { json: { a: 1 } });
    await call('/ok', { encoded: { contentType: 'application/x-www-form-urlencoded', body: 'a=1' } });
    expect(seen).toEqual([
      { contentType: 'application/json', body: '{"a":1}' },
      { contentType: 'application/x-www-form-urlencoded', body: 'a=1' },
    ]);
  });

  it('fails as the retry rules understand: 5xx and non-JSON unavailable, a stall a timeout, a dead port unavailable', async () => {
    await expect(call('/down')).rejects.toThrow(new ProviderUnavailableError('HTTP 503'));
    await expect(call('/html')).rejects.toBeInstanceOf(ProviderUnavailableError);
    await expect(call('/slow')).rejects.toBeInstanceOf(ProviderTimeoutError);
    await expect(requestJson({ url: 'http://127.0.0.1:1/x', method: 'GET', timeoutMs: 500 })).rejects.toThrow(
      /^network error/,
    );
  });
});

describe('withBoundedRetries', () => {
  it('retries outages with doubling backoff up to the bound, then reports the last failure', async () => {
    const sleeps: number[] = [];
    let calls = 0;
    const result = await withBoundedRetries(
      { attempts: 3, initialBackoffMs: 10 },
      () => {
        calls++;
        return Promise.reject(
          calls < 3 ? new ProviderUnavailableError('HTTP 503') : new ProviderTimeoutError(),
        );
      },
      (ms) => {
        sleeps.push(ms);
        return Promise.resolve();
      },
    );
    expect(result).toEqual({ ok: false, kind: 'timed-out', message: expect.any(String), attempts: 3 });
    expect(sleeps).toEqual([10, 20]);
  });

  it('returns the first success and rethrows anything that is not an outage', async () => {
    let calls = 0;
    const ok = await withBoundedRetries({ attempts: 3, initialBackoffMs: 0 }, () => {
      calls++;
      return calls === 1 ? Promise.reject(new ProviderUnavailableError('reset')) : Promise.resolve('booked');
    });
    expect(ok).toEqual({ ok: true, value: 'booked' });
    await expect(
      withBoundedRetries({ attempts: 3, initialBackoffMs: 0 }, () => Promise.reject(new TypeError('bug'))),
    ).rejects.toThrow('bug');
  });
});
