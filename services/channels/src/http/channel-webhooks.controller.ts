import { Controller, Headers, HttpCode, Param, Post, Res } from '@nestjs/common';
import { AcknowledgementResponse, sendAcknowledgement } from '@waybill/eventing';
import { ApiDoc, Public, RawBody, WebhookHeaders } from '@waybill/platform';
import { ReceiveChannelWebhook } from '../intake/receive-channel-webhook.service';
import { CHANNEL_WEBHOOKS_API } from './channels.openapi';
import { ChannelWebhookParams } from './connection.dto';

/** Platforms authenticate by their signature with the connection's secret, never by API key. */
@Public()
@Controller('v1/webhooks/channels')
export class ChannelWebhooksController {
  constructor(private readonly webhooks: ReceiveChannelWebhook) {}

  @Post(':connectionId')
  @HttpCode(200)
  @ApiDoc(CHANNEL_WEBHOOKS_API.receive)
  async receive(
    @Param() { connectionId }: ChannelWebhookParams,
    @RawBody() rawBody: Buffer,
    @Headers() headers: WebhookHeaders,
    @Res() response: AcknowledgementResponse,
  ): Promise<void> {
    sendAcknowledgement(response, await this.webhooks.receive(connectionId, rawBody, headers));
  }
}
