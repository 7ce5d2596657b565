/** What a payment's next action says the buyer must do (payment.action-required, GET /v1/orders/:id). */
export interface NextAction {
  readonly type: 'qr_code' | 'redirect';
  readonly qrCode?: string;
  readonly url?: string;
}

/**
 * The buyer's browser opens a redirect (Alipay's fund authorisation, UnionPay's payment page):
 * only then does the gateway know the trade. A QR code is scanned within the fake's buyerPays.
 */
export async function followNextAction(nextAction: NextAction): Promise<void> {
  if (nextAction.type === 'redirect' && nextAction.url) {
    const page = await fetch(nextAction.url);
    if (!page.ok) {
      throw new Error(`the gateway's payment page answered ${page.status}: ${await page.text()}`);
    }
  }
}
