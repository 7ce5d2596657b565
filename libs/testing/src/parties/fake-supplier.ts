import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { standardWebhookHeaders, standardWebhookVerifies } from './standard-webhook-signing';

/** A `whsec_…` secret, as an operator would configure it. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`;
}

export interface Delivery {
  readonly webhookId: string;
  readonly verified: boolean;
  readonly status: number;
  readonly body: { poNumber?: string; lines?: { sku: string; quantity: number }[]; [key: string]: unknown };
}

/**
 * A supplier's purchase-order endpoint, played by a real HTTP server: it verifies the Standard
 * Webhooks signature of every POST with the secret it shares with Waybill (with the fakes' own
 * hand-written verifier, standard-webhook-signing.ts, not Waybill's), dedups by webhook-id
 * as the issue asks suppliers to, and counts. `down()` makes it answer 503; `closed()` stops it
 * listening (connection refused) until `listen()` again on the same port.
 */
export class FakeSupplier {
  readonly deliveries: Delivery[] = [];
  /** Orders the supplier took, by webhook-id (= PO number): what it would ship. */
  readonly accepted = new Map<string, Delivery>();
  private status = 200;
  /** Called once per purchase order taken (not for a resend of one already taken). */
  onPurchaseOrder?: (delivery: Delivery) => void;
  /** Answer the next accepted delivery only after this long (a slow supplier: our send times out). */
  slowNextMs = 0;
  private server?: http.Server;

  private constructor(
    public port: number,
    readonly signingSecret: string,
  ) {}

  static async start(signingSecret: string, port = 0): Promise<FakeSupplier> {
    const supplier = new FakeSupplier(port, signingSecret);
    await supplier.listen();
    return supplier;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/purchase-orders`;
  }

  up(): void {
    this.status = 200;
  }

  down(status = 503): void {
    this.status = status;
  }

  /** Deliveries that carried `poNumber` as their webhook-id, verified or not. */
  deliveriesOf(poNumber: string): Delivery[] {
    return this.deliveries.filter((delivery) => delivery.webhookId === poNumber);
  }

  async listen(): Promise<void> {
    const server = http.createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const rawBody = Buffer.concat(chunks);
        const verified = standardWebhookVerifies(rawBody, request.headers, this.signingSecret);
        const webhookId = String(request.headers['webhook-id'] ?? '');
        const status = !verified ? 401 : this.status;
        let body: Delivery['body'] = {};
        try {
          body = JSON.parse(rawBody.toString('utf8')) as Delivery['body'];
        } catch {
          // counted as delivered but unreadable
        }
        const delivery = { webhookId, verified, status, body };
        this.deliveries.push(delivery);
        const answer = () => {
          response.writeHead(status, { 'content-type': 'application/json' });
          response.end(JSON.stringify({ received: status < 300 }));
        };
        if (status >= 300) {
          return answer();
        }
        if (!this.accepted.has(webhookId)) {
          this.accepted.set(webhookId, delivery);
          this.onPurchaseOrder?.(delivery);
        }
        const wait = this.slowNextMs;
        this.slowNextMs = 0;
        if (wait > 0) {
          setTimeout(answer, wait);
        } else {
          answer();
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
  }

  async closed(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) {
      return;
    }
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  async stop(): Promise<void> {
    await this.closed();
  }
}

/** A supplier's message to Waybill, signed with the supplier's webhook secret. */
export function signedSupplierMessage(
  secret: string,
  webhookId: string,
  body: object,
): { rawBody: string; headers: Record<string, string> } {
  const rawBody = JSON.stringify(body);
  return {
    rawBody,
    headers: {
      ...standardWebhookHeaders({ id: webhookId, timestamp: Date.now() / 1000, rawBody, secret }),
      'content-type': 'application/json',
    },
  };
}
