/**
 * Plays the gateways whose buyers pay by QR code or redirect — WeChat Pay, Alipay and UnionPay —
 * for `npm start`: the very fakes the conformance suite runs against, each "paying" a short while
 * after the buyer was shown what to do, except for a share of buyers who never pay (their orders
 * expire and are cancelled). The fakes make their own keys, so nothing needs configuring.
 *
 * The modes, one per gateway (the payment service runs one each): WeChat Pay Native and Alipay
 * `direct` (precreate) show a QR code and capture at once; UnionPay `preauth` sends the buyer's
 * browser to its payment page (the storefront opens the redirect) and holds the money until the
 * parcel ships (a completion). So the demo shows both kinds of next action and both capture modes,
 * and the two modes the whole-saga e2e (tests/payment-gateways.e2e-spec.ts) does not run — Alipay
 * direct and UnionPay preauth — go through a whole saga here.
 */
import { createHash } from 'node:crypto';
import type { PartyOptions, PartySimulator } from './party';
import { PaymentParty, startPaymentParty } from './payment-party';

export interface PaymentGatewaysOptions extends PartyOptions {
  /** How long a buyer takes to pay once shown the QR code or the payment page. */
  readonly payAfterMs?: number;
  /** Share of buyers who never pay. */
  readonly neverPaysShare?: number;
}

export const DEFAULT_NEVER_PAYS_SHARE = 0.1;

/** The same buyer always decides the same way: a replayed trade is paid or not, as the first. */
export function neverPays(orderId: string, share: number = DEFAULT_NEVER_PAYS_SHARE): boolean {
  return createHash('sha256').update(orderId).digest().readUInt32BE(0) / 0x1_0000_0000 < share;
}

export async function startPaymentGateways(options: PaymentGatewaysOptions): Promise<PartySimulator> {
  const autoPay = {
    afterMs: options.payAfterMs ?? 3000,
    neverPays: (orderId: string) => neverPays(orderId, options.neverPaysShare ?? DEFAULT_NEVER_PAYS_SHARE),
  };
  const gateways: PaymentParty[] = await Promise.all(
    (['wechatpay', 'alipay-direct', 'unionpay-preauth'] as const).map((name) =>
      startPaymentParty(name, { autoPay }),
    ),
  );
  const env: Record<string, string> = {};
  for (const gateway of gateways) {
    gateway.pointAt(options.serviceUrl);
    Object.assign(env, gateway.env);
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
