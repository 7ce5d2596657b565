/**
 * Plays the gateways whose buyers pay by QR code or redirect — WeChat Pay (and, as their fakes
 * land, Alipay and UnionPay) — for `npm start`: the very fakes the conformance suite runs against,
 * each "scanning" a short while after the payment service opens a trade, except for a share of
 * buyers who never pay (their orders expire and are cancelled). The fakes make their own keys, so
 * nothing needs configuring.
 */
import { createHash } from 'node:crypto';
import { FakePaymentGateway, FakeWechatPay } from '@waybill/testing/parties';
import type { PartyOptions, PartySimulator } from './party';

export interface PaymentGatewaysOptions extends PartyOptions {
  /** How long a buyer takes to pay once shown the QR code. */
  readonly payAfterMs?: number;
  /** Share of buyers who never pay. */
  readonly neverPaysShare?: number;
}

/** The same buyer always decides the same way: a replayed trade is paid or not, as the first. */
export function neverPays(orderId: string, share: number): boolean {
  return createHash('sha256').update(orderId).digest().readUInt32BE(0) / 0x1_0000_0000 < share;
}

export async function startPaymentGateways(options: PaymentGatewaysOptions): Promise<PartySimulator> {
  const autoPay = {
    afterMs: options.payAfterMs ?? 3000,
    neverPays: (orderId: string) => neverPays(orderId, options.neverPaysShare ?? 0.1),
  };
  const gateways: FakePaymentGateway[] = [await FakeWechatPay.start({ autoPay })];
  const env: Record<string, string> = {};
  for (const gateway of gateways) {
    gateway.setNotifyTarget(options.serviceUrl);
    Object.assign(env, gateway.env());
    options.log(
      `payment gateway: ${gateway.provider} (buyers pay after ${autoPay.afterMs} ms; some never do)`,
    );
  }
  return {
    env,
    providers: gateways.map((gateway) => gateway.provider),
    async stop() {
      await Promise.all(gateways.map((gateway) => gateway.stop()));
    },
  };
}
