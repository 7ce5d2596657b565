import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyStandardWebhook } from '@waybill/platform';
import { HttpJsonSupplier, Resolver } from './http-json.supplier';
import type { PurchaseOrderDocument } from './supplier-adapter';
import type { SupplierSettings } from './supplier-settings';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

const order: PurchaseOrderDocument = {
  type: 'purchase_order.issued',
  poNumber: 'PO-000042',
  purchaseOrderId: '6f1c8e0e-3b7a-4d7e-9a51-2f3c4d5e6f70',
  supplier: { id: 'acme' },
  lines: [{ sku: 'MUG', quantity: 12 }],
  issuedAt: '2026-11-26T12:00:00.000Z',
  expectedBy: '2026-11-29T12:00:00.000Z',
  replyTo: '/v1/webhooks/suppliers/acme',
};

function settings(url: string): SupplierSettings {
  return {
    id: 'acme',
    variablePrefix: 'INVENTORY_SUPPLIER_ACME',
    adapter: 'http-json',
    url,
    webhookSecrets: [SECRET],
    signingSecrets: [SECRET],
    sandboxAckDelayMs: 0,
    sandboxShipDelayMs: 0,
  };
}

/** A real supplier endpoint on loopback that records what reaches it. */
async function supplierServer(): Promise<{
  port: number;
  received: http.IncomingHttpHeaders[];
  bodies: Buffer[];
  close(): Promise<void>;
}> {
  const received: http.IncomingHttpHeaders[] = [];
  const bodies: Buffer[] = [];
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push(request.headers);
      bodies.push(Buffer.concat(chunks));
      response.writeHead(202).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    received,
    bodies,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('the http-json supplier adapter', () => {
  const loopbackAllowed = {
    allowedHosts: ['127.0.0.1', 'po.supplier.test'],
    allowLoopback: true,
    allowPrivateNetworks: false,
  };

  it('POSTs the order signed with Standard Webhooks headers, webhook-id = the PO number', async () => {
    const server = await supplierServer();
    try {
      const adapter = new HttpJsonSupplier(
        settings(`http://127.0.0.1:${server.port}/po`),
        loopbackAllowed,
        1000,
      );
      expect(await adapter.send(order)).toEqual({ outcome: 'delivered', detail: 'HTTP 202' });
      const [headers] = server.received;
      expect(headers['webhook-id']).toBe('PO-000042');
      expect(verifyStandardWebhook({ rawBody: server.bodies[0], headers, secrets: [SECRET] }).ok).toBe(true);
      expect(JSON.parse(server.bodies[0].toString())).toEqual(order);
    } finally {
      await server.close();
    }
  });

  it('refuses, at send time, a host whose DNS answer is link-local, and never connects', async () => {
    const server = await supplierServer();
    try {
      // The name is allowed and looked fine at boot; now DNS points it at the metadata endpoint.
      const metadata: Resolver = async () => [{ address: '169.254.169.254', family: 4 }];
      const adapter = new HttpJsonSupplier(
        settings(`http://po.supplier.test:${server.port}/po`),
        loopbackAllowed,
        1000,
        metadata,
      );
      const outcome = await adapter.send(order);
      expect(outcome).toEqual({
        outcome: 'failed',
        reason: expect.stringMatching(/ADDRESS_REFUSED.*169\.254\.169\.254 is a link-local address/),
      });
      expect(await adapter.checkResolvedAddresses()).toMatch(/link-local/);
      const mapped: Resolver = async () => [{ address: '::ffff:169.254.169.254', family: 6 }];
      const viaMapped = new HttpJsonSupplier(
        settings(`http://po.supplier.test:${server.port}/po`),
        loopbackAllowed,
        1000,
        mapped,
      );
      expect(await viaMapped.send(order)).toMatchObject({
        outcome: 'failed',
        reason: expect.stringMatching(/link-local/),
      });
      expect(server.received).toHaveLength(0);
    } finally {
      await server.close();
    }
  });

  it('connects through an allowed name to the address the guarded lookup approved', async () => {
    const server = await supplierServer();
    try {
      const loopback: Resolver = async () => [{ address: '127.0.0.1', family: 4 }];
      const adapter = new HttpJsonSupplier(
        settings(`http://po.supplier.test:${server.port}/po`),
        loopbackAllowed,
        1000,
        loopback,
      );
      expect(await adapter.send(order)).toMatchObject({ outcome: 'delivered' });
      const strict = new HttpJsonSupplier(
        settings(`http://po.supplier.test:${server.port}/po`),
        { ...loopbackAllowed, allowLoopback: false },
        1000,
        loopback,
      );
      expect(await strict.send(order)).toMatchObject({
        outcome: 'failed',
        reason: expect.stringMatching(/loopback/),
      });
      expect(server.received).toHaveLength(1);
    } finally {
      await server.close();
    }
  });
});
