import { Controller, Headers, HttpCode, Param, Post } from '@nestjs/common';
import { ApiDoc, Public, RawBody, RequireScopes, WebhookHeaders } from '@waybill/platform';
import { CARRIER_WEBHOOKS_API } from './logistics.openapi';
import { CarrierWebhookAck, ReceiveCarrierWebhook } from '../receive-webhook/receive-carrier-webhook.service';

@Controller('v1/webhooks/carriers')
export class CarrierWebhooksController {
  constructor(private readonly webhooks: ReceiveCarrierWebhook) {}

  /** Carriers authenticate by signature, not API key. */
  @Public()
  @Post(':carrier')
  @HttpCode(200)
  @ApiDoc(CARRIER_WEBHOOKS_API.receive)
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
  @ApiDoc(CARRIER_WEBHOOKS_API.replay)
  replay(
    @Param('carrier') carrier: string,
    @Param('id') id: string,
  ): Promise<{ replayed: true; id: string }> {
    return this.webhooks.replay(carrier, id);
  }
}
