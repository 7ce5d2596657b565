import { Controller, Headers, HttpCode, Param, Post } from '@nestjs/common';
import { Public, RawBody, RequireScopes, WebhookHeaders } from '@waybill/platform';
import { CarrierWebhookAck, ReceiveCarrierWebhook } from '../receive-webhook/receive-carrier-webhook.service';

@Controller('v1/webhooks/carriers')
export class CarrierWebhooksController {
  constructor(private readonly webhooks: ReceiveCarrierWebhook) {}

  /** Carriers authenticate by signature, not API key. */
  @Public()
  @Post(':carrier')
  @HttpCode(200)
  receive(
    @Param('carrier') carrier: string,
    @RawBody() rawBody: Buffer,
    @Headers() headers: WebhookHeaders,
  ): Promise<CarrierWebhookAck> {
    return this.webhooks.receive(carrier, rawBody, headers);
  }

  @Post(':carrier/:id/replay')
  @HttpCode(202)
  @RequireScopes('webhooks:replay')
  replay(
    @Param('carrier') carrier: string,
    @Param('id') id: string,
  ): Promise<{ replayed: true; id: string }> {
    return this.webhooks.replay(carrier, id);
  }
}
