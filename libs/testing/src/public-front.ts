/**
 * A service's public address as a load balancer gives it: forwards every request to `target`.
 * For partners that must be told where to call back (Kuaidi100's `callbackurl`) before the service
 * under test has its ephemeral port: configure `url`, start the service, then set `target`.
 */
import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export class PublicFront {
  target = '';

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<PublicFront> {
    const holder: { front?: PublicFront } = {};
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const headers = Object.fromEntries(
          Object.entries(request.headers).filter(
            (entry): entry is [string, string] => typeof entry[1] === 'string' && entry[0] !== 'host',
          ),
        );
        fetch(`${holder.front?.target ?? ''}${request.url ?? '/'}`, {
          method: request.method,
          headers,
          body: request.method === 'GET' ? undefined : Buffer.concat(chunks),
        })
          .then(async (answer) => {
            response.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? '' });
            response.end(Buffer.from(await answer.arrayBuffer()));
          })
          .catch(() => response.writeHead(502).end());
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    holder.front = new PublicFront(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    return holder.front;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
