import { Controller, Headers, HttpCode, Param, Post } from '@nestjs/common';
import { ApiDoc, Public, RawBody } from '@waybill/platform';
import { PAYMENT_WEBHOOKS_API } from './payments.openapi';
import { ReceiveWebhookService, WebhookAck } from '../payment-webhooks/receive-webhook.service';
import type { WebhookHeaders } from '../providers/payment-provider';

/** Providers authenticate by signature, not API key. */
@Public()
@Controller('v1/webhooks/payments')
export class PaymentWebhooksController {
  constructor(private readonly webhooks: ReceiveWebhookService) {}

  @Post(':provider')
  @HttpCode(200)
  @ApiDoc(PAYMENT_WEBHOOKS_API.receive)
  receive(
    @Param('provider') provider: string,
    @RawBody() rawBody: Buffer,
    @Headers() headers: WebhookHeaders,
  ): Promise<WebhookAck> {
    return this.webhooks.receive(provider, rawBody, headers);
  }
}
