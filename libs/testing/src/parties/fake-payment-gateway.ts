/**
 * What the payment conformance suite (services/payment/test/payment-conformance.e2e-spec.ts) asks
 * of a fake payment gateway, whatever its wire format: the settings that point Waybill's adapter
 * at it, and the buyer's and the network's part of a payment. Every fake gateway implements it, so
 * one suite runs the same scenarios for every provider.
 *
 * Trades are found by Waybill's order id: adapters derive the gateway's merchant order number
 * from it (the uuid without dashes), so a fake can map one to the other.
 */
export interface FakePaymentGateway {
  /** The provider slug (`alipay`, `wechatpay`, `unionpay`, …). */
  readonly provider: string;
  /**
   * The payment service's environment for this fake: API base, credentials (the merchant keys
   * the fake generated and trusts), mode and pay timeout as the test wants them.
   */
  env(): Record<string, string>;
  /** The gateway refuses the next payment it is asked to open (its own business error). */
  declineNextPayment(): void;
  /**
   * The buyer pays (scans the QR code / completes the redirect) for the order's open trade; the
   * gateway then sends its signed notify, loses it, or sends it twice.
   */
  buyerPays(orderId: string, notify?: 'deliver' | 'lose' | 'repeat'): Promise<void>;
  /** The buyer pays although the trade was closed a moment before (the gateway's race): notified. */
  buyerPaysAfterClose(orderId: string): Promise<void>;
  /**
   * Posts to Waybill a notify for the order's trade as the gateway would, spoiled as asked:
   * `tampered` (body changed after signing), `stale` (timestamp outside the tolerance, for
   * gateways that sign one), `wrong-key` (signed by a key Waybill does not trust). Returns what
   * Waybill answered.
   */
  sendSpoiledNotify(
    orderId: string,
    spoil: 'tampered' | 'stale' | 'wrong-key',
  ): Promise<{ readonly status: number; readonly body: string }>;
  /** The gateway carries out the next call of this kind but the answer never reaches Waybill. */
  loseNextAnswer(operation: 'refund' | 'close' | 'query' | 'capture'): void;
  /** The gateway's status of the order's trade in its own words (`TRADE_CLOSED`, `NOTPAY`, …). */
  tradeStatus(orderId: string): string | undefined;
  /** Refunds the gateway carried out for the order, in minor units. */
  refunds(orderId: string): readonly number[];
  /** Captures (pre-authorisation completions) carried out for the order, in minor units. */
  captures(orderId: string): readonly number[];
  /**
   * Where notifies go: the fake posts to the path of the notify URL the adapter sent (Alipay
   * `notify_url`, WeChat `notify_url`, UnionPay `backUrl`) on this base instead of the URL's own
   * host, since a test's payment service listens on a port known only once it has started.
   */
  setNotifyTarget(baseUrl: string): void;
  stop(): Promise<void>;
}

/** The gateway's merchant order number for a Waybill order: the uuid without dashes (32 hex). */
export function merchantOrderNumber(orderId: string): string {
  return orderId.replace(/-/g, '');
}
