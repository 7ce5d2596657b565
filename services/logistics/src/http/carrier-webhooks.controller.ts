import { Controller, Headers, HttpCode, Ip, Param, Post, Res } from '@nestjs/common';
import { AcknowledgementResponse, sendAcknowledgement } from '@waybill/eventing';
import { ApiDoc, Public, RawBody, RequireScopes, WebhookHeaders } from '@waybill/platform';
import { CARRIER_WEBHOOKS_API } from './logistics.openapi';
import { ReceiveCarrierWebhook } from '../receive-webhook/receive-carrier-webhook.service';

@Controller('v1/webhooks/carriers')
export class CarrierWebhooksController {
  constructor(private readonly webhooks: ReceiveCarrierWebhook) {}

  /** Carriers authenticate by signature, not API key; the answer is the carrier's own. */
  @Public()
  @Post(':carrier')
  @HttpCode(200)
  @ApiDoc(CARRIER_WEBHOOKS_API.receive)
  async receive(
    @Param('carrier') carrier: string,
    @RawBody() rawBody: Buffer,
    @Headers() headers: WebhookHeaders,
    @Ip() remoteAddress: string,
    @Res() response: AcknowledgementResponse,
  ): Promise<void> {
    sendAcknowledgement(response, await this.webhooks.receive(carrier, rawBody, headers, { remoteAddress }));
  }

  /** Carriers that sign nothing (SF) push to a secret path; the token is their credential. */
  @Public()
  @Post(':carrier/:token')
  @HttpCode(200)
  @ApiDoc(CARRIER_WEBHOOKS_API.receiveWithToken)
  async receiveWithToken(
    @Param('carrier') carrier: string,
    @Param('token') pathToken: string,
    @RawBody() rawBody: Buffer,
    @Headers() headers: WebhookHeaders,
    @Ip() remoteAddress: string,
    @Res() response: AcknowledgementResponse,
  ): Promise<void> {
    sendAcknowledgement(
      response,
      await this.webhooks.receive(carrier, rawBody, headers, { pathToken, remoteAddress }),
    );
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
