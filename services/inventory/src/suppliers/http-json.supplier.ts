import { lookup as dnsLookup, LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { isIP, LookupFunction } from 'node:net';
import { signStandardWebhook } from '@waybill/platform';
import { addressRefusal, NetworkPolicy, urlRefusal } from './network-policy';
import type { PurchaseOrderDocument, SendOutcome, SupplierAdapter } from './supplier-adapter';
import type { SupplierSettings } from './supplier-settings';

/** How a host name becomes addresses; tests pass their own to play DNS. */
export type Resolver = (hostname: string) => Promise<LookupAddress[]>;

const systemResolver: Resolver = (hostname) =>
  new Promise((resolve, reject) =>
    dnsLookup(hostname, { all: true }, (error, addresses) => (error ? reject(error) : resolve(addresses))),
  );

/** The answer body is not used; reading a little of it keeps the socket reusable and bounded. */
const MAX_ANSWER_BYTES = 16 * 1024;

/**
 * POSTs the purchase order as JSON to the supplier's URL, signed with Standard Webhooks headers
 * (`webhook-id` = the PO number, the same on every retry, so the supplier dedups). Only a 2xx is
 * a delivery. The socket connects through a lookup that refuses forbidden addresses, so the check
 * applies to the address actually used (no window for a DNS answer to change in between).
 */
export class HttpJsonSupplier implements SupplierAdapter {
  readonly kind = 'http-json' as const;

  private readonly url: URL;

  constructor(
    private readonly settings: SupplierSettings,
    private readonly policy: NetworkPolicy,
    private readonly timeoutMs: number,
    private readonly resolver: Resolver = systemResolver,
  ) {
    // Configuration requires a URL for http-json suppliers; this only keeps a mistake loud.
    if (!settings.url) {
      throw new Error(`supplier ${settings.id} uses the http-json adapter but has no URL`);
    }
    this.url = new URL(settings.url);
  }

  /** Every address the URL's host resolves to now, refused if any is forbidden (boot check). */
  async checkResolvedAddresses(): Promise<string | undefined> {
    const url = new URL(this.url);
    const refusal = urlRefusal(url, this.policy);
    if (refusal) {
      return refusal;
    }
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (isIP(host)) {
      return undefined;
    }
    const addresses = await this.resolver(host);
    for (const { address } of addresses) {
      const refused = addressRefusal(address, this.policy);
      if (refused) {
        return `${host} resolves to ${refused}`;
      }
    }
    return undefined;
  }

  async send(order: PurchaseOrderDocument): Promise<SendOutcome> {
    const url = new URL(this.url);
    const refusal = urlRefusal(url, this.policy);
    if (refusal) {
      return { outcome: 'failed', reason: `SUPPLIER.ADDRESS_REFUSED: ${refusal}` };
    }
    const body = Buffer.from(JSON.stringify(order), 'utf8');
    const headers = {
      ...signStandardWebhook({
        id: order.poNumber,
        timestamp: Date.now() / 1000,
        rawBody: body,
        secrets: this.settings.signingSecrets,
      }),
      'content-type': 'application/json',
      'content-length': String(body.length),
      'user-agent': 'waybill-inventory',
    };
    try {
      const status = await this.post(url, headers, body);
      if (status >= 200 && status < 300) {
        return { outcome: 'delivered', detail: `HTTP ${status}` };
      }
      return { outcome: 'failed', reason: `HTTP ${status}` };
    } catch (error) {
      return { outcome: 'failed', reason: (error as Error).message };
    }
  }

  private guardedLookup(): LookupFunction {
    return (hostname, options, callback) => {
      this.resolver(hostname).then(
        (addresses) => {
          const wanted = addresses.filter((a) => !options.family || a.family === options.family);
          const refused = wanted.map((a) => addressRefusal(a.address, this.policy)).find(Boolean);
          if (refused || wanted.length === 0) {
            const error = Object.assign(
              new Error(
                `SUPPLIER.ADDRESS_REFUSED: ${hostname} resolves to ${refused ?? 'no usable address'}`,
              ),
              { code: 'EADDRREFUSED' },
            );
            return callback(error, '', 0);
          }
          if (options.all) {
            return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, wanted);
          }
          callback(null, wanted[0].address, wanted[0].family);
        },
        (error: NodeJS.ErrnoException) => callback(error, '', 0),
      );
    };
  }

  private post(url: URL, headers: Record<string, string>, body: Buffer): Promise<number> {
    const client = url.protocol === 'https:' ? https : http;
    const timeoutMs = this.settings.timeoutMs ?? this.timeoutMs;
    return new Promise((resolve, reject) => {
      const request = client.request(url, {
        method: 'POST',
        headers,
        lookup: this.guardedLookup(),
        agent: false,
      });
      const timer = setTimeout(
        () => request.destroy(new Error(`SUPPLIER.TIMEOUT: no answer within ${timeoutMs} ms`)),
        timeoutMs,
      );
      request.on('response', (response) => {
        let read = 0;
        response.on('data', (chunk: Buffer) => {
          read += chunk.length;
          if (read > MAX_ANSWER_BYTES) {
            response.destroy();
          }
        });
        response.on('close', () => {
          clearTimeout(timer);
          resolve(response.statusCode ?? 0);
        });
      });
      request.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      request.end(body);
    });
  }
}
