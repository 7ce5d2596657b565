import { Controller, Headers, HttpCode, Param, Post, Res } from '@nestjs/common';
import { AcknowledgementResponse, sendAcknowledgement } from '@waybill/eventing';
import { ApiDoc, Public, RawBody, RequireScopes, WebhookHeaders } from '@waybill/platform';
import { PAYMENT_WEBHOOKS_API } from './payments.openapi';
import { ReceiveWebhookService } from '../payment-webhooks/receive-webhook.service';

@Controller('v1/webhooks/payments')
export class PaymentWebhooksController {
  constructor(private readonly webhooks: ReceiveWebhookService) {}

  /** Providers authenticate by signature, not API key; the answer is the provider's own. */
  @Public()
  @Post(':provider')
  @HttpCode(200)
  @ApiDoc(PAYMENT_WEBHOOKS_API.receive)
  async receive(
    @Param('provider') provider: string,
    @RawBody() rawBody: Buffer,
    @Headers() headers: WebhookHeaders,
    @Res() response: AcknowledgementResponse,
  ): Promise<void> {
    sendAcknowledgement(response, await this.webhooks.receive(provider, rawBody, headers));
  }

  @Post(':provider/:id/replay')
  @HttpCode(202)
  @RequireScopes('webhooks:replay')
  @ApiDoc(PAYMENT_WEBHOOKS_API.replay)
  replay(
    @Param('provider') provider: string,
    @Param('id') id: string,
  ): Promise<{ replayed: true; id: string }> {
    return this.webhooks.replay(provider, id);
  }
}
