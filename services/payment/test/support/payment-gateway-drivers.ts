import { randomBytes, randomUUID } from 'node:crypto';
import type { ServiceUnderTest } from '@waybill/testing';
import { FakePaymentGateway, FakeStripe } from '@waybill/testing/parties';
import type { PaymentConfig } from '../../src/payment.config';
import { PaymentProviders } from '../../src/providers/payment-providers';
import type { SettleRequest } from '../../src/providers/payment-provider';
import {
  SANDBOX_SIGNATURE_HEADER,
  SANDBOX_TOKENS,
  SandboxPaymentProvider,
} from '../../src/providers/sandbox.provider';

/**
 * How the payment conformance suite drives one provider: a fake gateway over HTTP (Alipay, WeChat
 * Pay, UnionPay, Stripe) or the sandbox, which runs inside the payment service. The buyer's, the
 * network's and the provider's part of a payment, and what the provider holds afterwards.
 */
export interface PaymentGatewayDriver extends Pick<
  FakePaymentGateway,
  | 'provider'
  | 'env'
  | 'buyerPays'
  | 'buyerPaysAfterClose'
  | 'sendSpoiledNotify'
  | 'loseNextAnswer'
  | 'tradeStatus'
  | 'refunds'
  | 'captures'
  | 'stop'
> {
  /** The payment service listens: notifies go to it (and the in-process sandbox is watched there). */
  attach(service: ServiceUnderTest<PaymentConfig>): void;
  /**
   * The payment method an order carries for its payment to go as asked: `buyer-acts` waits for the
   * buyer (a QR code or a redirect; a card's 3-D Secure, which buyerPays completes), `declined` is
   * refused, `approved` is authorized with nothing asked of the buyer (a card; where every payment
   * waits for the buyer there is no such method). A gateway that refuses by a switch of its own
   * rather than by the method (the fake QR gateways' declineNextPayment) has it thrown here.
   */
  nextPaymentMethod(payment: PaymentKind): string;
}

export type PaymentKind = 'approved' | 'declined' | 'buyer-acts';

/** A fake QR / redirect gateway as a driver: every payment of it waits for the buyer. */
export function fakeGatewayDriver(fake: FakePaymentGateway): PaymentGatewayDriver {
  return {
    provider: fake.provider,
    env: () => fake.env(),
    attach: (service) => fake.setNotifyTarget(service.baseUrl),
    nextPaymentMethod(payment) {
      switch (payment) {
        case 'approved':
          throw new Error(`every ${fake.provider} payment waits for the buyer`);
        case 'declined':
          fake.declineNextPayment();
          return 'buyer';
        case 'buyer-acts':
          return 'buyer';
      }
    },
    buyerPays: (orderId, notify) => fake.buyerPays(orderId, notify),
    buyerPaysAfterClose: (orderId) => fake.buyerPaysAfterClose(orderId),
    sendSpoiledNotify: (orderId, spoil) => fake.sendSpoiledNotify(orderId, spoil),
    loseNextAnswer: (operation) => fake.loseNextAnswer(operation),
    tradeStatus: (orderId) => fake.tradeStatus(orderId),
    refunds: (orderId) => fake.refunds(orderId),
    captures: (orderId) => fake.captures(orderId),
    stop: () => fake.stop(),
  };
}

/** A signature an hour old: outside any tolerance Waybill is configured with. */
const STALE_BY_SECONDS = 3600;

/**
 * What the card drivers share: test payment methods that choose how a payment goes, and webhooks
 * signed as Stripe signs them (the sandbox signs the same way, under its own header), posted to the
 * payment service's endpoint for the provider.
 */
abstract class CardDriver {
  private url?: string;

  protected constructor(
    readonly provider: string,
    private readonly paymentMethods: Readonly<Record<PaymentKind, string>>,
    private readonly header: string,
    protected readonly secret: string,
  ) {}

  nextPaymentMethod(payment: PaymentKind): string {
    return this.paymentMethods[payment];
  }

  /** See the variants' notApplicable: a card payment is never closed, so nothing comes after a close. */
  async buyerPaysAfterClose(): Promise<void> {
    throw new Error(`${this.provider}: a payment waiting for 3-D Secure has no close to pay after`);
  }

  protected target(service: ServiceUnderTest<PaymentConfig>): string {
    this.url = `${service.baseUrl}/v1/webhooks/payments/${this.provider}`;
    return this.url;
  }

  /** Delivers a signed webhook once, twice or not at all (`lose`), and insists it was taken. */
  protected async deliver(payload: string, notify: 'deliver' | 'lose' | 'repeat'): Promise<void> {
    const times = { deliver: 1, lose: 0, repeat: 2 }[notify];
    for (let delivery = 0; delivery < times; delivery++) {
      const answer = await this.post(payload, FakeStripe.signature(payload, [this.secret]));
      if (answer.status !== 200) {
        throw new Error(`the webhook was answered ${answer.status}: ${answer.body}`);
      }
    }
  }

  /** `payload` spoiled as asked: `tampered` posts `tamper(payload)` under the payload's signature. */
  protected spoiled(
    payload: string,
    tamper: (signed: string) => string,
    spoil: 'tampered' | 'stale' | 'wrong-key',
  ): Promise<{ status: number; body: string }> {
    const now = Math.floor(Date.now() / 1000);
    const body = spoil === 'tampered' ? tamper(payload) : payload;
    if (spoil === 'tampered' && body === payload) {
      throw new Error('the tampering changed nothing');
    }
    const secret = spoil === 'wrong-key' ? `whsec_not_${this.secret}` : this.secret;
    const timestamp = spoil === 'stale' ? now - STALE_BY_SECONDS : now;
    return this.post(body, FakeStripe.signature(payload, [secret], timestamp));
  }

  private async post(body: string, signature: string): Promise<{ status: number; body: string }> {
    if (!this.url) {
      throw new Error('the driver is not attached to a payment service');
    }
    const response = await fetch(this.url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json; charset=utf-8', [this.header]: signature },
      body,
    });
    return { status: response.status, body: await response.text() };
  }
}

/**
 * Stripe, played by FakeStripe over HTTP. Its test cards choose how a payment goes; 3-D Secure is
 * the buyer acting, finished in the fake as in the browser and announced by a signed
 * `payment_intent.amount_capturable_updated`. Every other change of an intent is announced as a
 * Stripe account's endpoint hears it (FakeStripe.sendWebhooksTo).
 */
export class StripeDriver extends CardDriver implements PaymentGatewayDriver {
  private constructor(
    readonly stripe: FakeStripe,
    secret: string,
  ) {
    const cards = {
      approved: 'pm_card_visa',
      declined: 'pm_card_chargeDeclined',
      'buyer-acts': 'pm_card_authenticationRequired',
    };
    super('stripe', cards, 'Stripe-Signature', secret);
  }

  static async start(): Promise<StripeDriver> {
    return new StripeDriver(await FakeStripe.start(), `whsec_${randomBytes(12).toString('hex')}`);
  }

  env(): Record<string, string> {
    return {
      PAYMENT_STRIPE_API_BASE: this.stripe.baseUrl,
      PAYMENT_STRIPE_API_KEY: this.stripe.apiKey,
      PAYMENT_STRIPE_WEBHOOK_SECRET: this.secret,
    };
  }

  attach(service: ServiceUnderTest<PaymentConfig>): void {
    this.stripe.sendWebhooksTo(this.target(service), this.secret);
  }

  async buyerPays(orderId: string, notify: 'deliver' | 'lose' | 'repeat' = 'deliver'): Promise<void> {
    const intent = this.stripe.completeAuthentication(this.intentOf(orderId).id, true);
    await this.deliver(FakeStripe.event('payment_intent.amount_capturable_updated', intent), notify);
  }

  async sendSpoiledNotify(
    orderId: string,
    spoil: 'tampered' | 'stale' | 'wrong-key',
  ): Promise<{ status: number; body: string }> {
    const intent = this.intentOf(orderId);
    // What Stripe would announce once the buyer authenticated; the fake's intent stays as it is.
    const held = {
      ...intent,
      status: 'requires_capture',
      amount_capturable: intent.amount,
      next_action: null,
    };
    const payload = FakeStripe.event('payment_intent.amount_capturable_updated', held);
    return this.spoiled(
      payload,
      (signed) => signed.replace(`"amount":${intent.amount},`, '"amount":1,'),
      spoil,
    );
  }

  loseNextAnswer(operation: 'refund' | 'close' | 'query' | 'capture'): void {
    this.stripe.loseNextAnswer(operation);
  }

  tradeStatus(orderId: string): string | undefined {
    return this.stripe.intentForOrder(orderId)?.status;
  }

  refunds(orderId: string): readonly number[] {
    const intent = this.stripe.intentForOrder(orderId);
    return intent ? this.stripe.refundsOf(intent.id) : [];
  }

  captures(orderId: string): readonly number[] {
    const intent = this.stripe.intentForOrder(orderId);
    return intent ? this.stripe.capturesOf(intent.id) : [];
  }

  stop(): Promise<void> {
    return this.stripe.stop();
  }

  private intentOf(orderId: string) {
    const intent = this.stripe.intentForOrder(orderId);
    if (!intent) {
      throw new Error(`fake Stripe has no payment intent for order ${orderId}`);
    }
    return intent;
  }
}

type SandboxSettlement = 'capture' | 'void' | 'refund';

/** The sandbox's word for a payment after each settlement, as its webhook types say them. */
const SANDBOX_STATUS: Readonly<Record<SandboxSettlement, string>> = {
  capture: 'captured',
  void: 'canceled',
  refund: 'refunded',
};

/**
 * The built-in sandbox provider, which runs inside the payment service and keeps no state: what it
 * was asked and carried out is all it knows, so the driver watches its capture, void and refund
 * calls there (their own code still answers). Its test tokens choose how a payment goes;
 * `sandbox_requires_action` waits for the buyer, and a webhook signed as Stripe signs, under
 * `Sandbox-Signature`, resolves it.
 */
export class SandboxDriver extends CardDriver implements PaymentGatewayDriver {
  private readonly settled: { operation: SandboxSettlement; orderId: string; amount: number }[] = [];

  private constructor() {
    const tokens = {
      approved: SANDBOX_TOKENS.approve,
      declined: SANDBOX_TOKENS.decline,
      'buyer-acts': SANDBOX_TOKENS.requiresAction,
    };
    super('sandbox', tokens, SANDBOX_SIGNATURE_HEADER, `sbx_whsec_${randomBytes(12).toString('hex')}`);
  }

  static async start(): Promise<SandboxDriver> {
    return new SandboxDriver();
  }

  env(): Record<string, string> {
    return { PAYMENT_SANDBOX_ENABLED: 'true', PAYMENT_SANDBOX_WEBHOOK_SECRET: this.secret };
  }

  attach(service: ServiceUnderTest<PaymentConfig>): void {
    this.target(service);
    const sandbox = service.app.get(PaymentProviders).get(this.provider);
    if (!(sandbox instanceof SandboxPaymentProvider)) {
      throw new Error('the payment service has no sandbox provider');
    }
    for (const operation of ['capture', 'void', 'refund'] as const) {
      const carryOut = sandbox[operation].bind(sandbox);
      jest.spyOn(sandbox, operation).mockImplementation(async (request: SettleRequest) => {
        const outcome = await carryOut(request);
        if (outcome.kind === 'done') {
          this.settled.push({ operation, orderId: request.orderId, amount: request.amount });
        }
        return outcome;
      });
    }
  }

  async buyerPays(orderId: string, notify: 'deliver' | 'lose' | 'repeat' = 'deliver'): Promise<void> {
    await this.deliver(sandboxWebhook('payment.authorized', orderId), notify);
  }

  async sendSpoiledNotify(
    orderId: string,
    spoil: 'tampered' | 'stale' | 'wrong-key',
  ): Promise<{ status: number; body: string }> {
    // A failure the sandbox signed, turned into an authorization if tampered with.
    const payload = sandboxWebhook('payment.failed', orderId);
    const tamper = (signed: string) => signed.replace('"payment.failed"', '"payment.authorized"');
    return this.spoiled(payload, tamper, spoil);
  }

  loseNextAnswer(): void {
    throw new Error('the sandbox answers in-process: there is no answer to lose');
  }

  tradeStatus(orderId: string): string | undefined {
    const last = this.settled.filter((call) => call.orderId === orderId).at(-1);
    return last && SANDBOX_STATUS[last.operation];
  }

  refunds(orderId: string): readonly number[] {
    return this.amounts('refund', orderId);
  }

  captures(orderId: string): readonly number[] {
    return this.amounts('capture', orderId);
  }

  async stop(): Promise<void> {}

  private amounts(operation: SandboxSettlement, orderId: string): number[] {
    return this.settled
      .filter((call) => call.operation === operation && call.orderId === orderId)
      .map((call) => call.amount);
  }
}

function sandboxWebhook(type: string, orderId: string): string {
  return JSON.stringify({ id: `evt_${randomUUID()}`, type, data: { order_id: orderId } });
}
