import { Controller, Headers, HttpCode, Param, Post, Res } from '@nestjs/common';
import { AcknowledgementResponse, sendAcknowledgement } from '@waybill/eventing';
import { ApiDoc, Public, RawBody, WebhookHeaders } from '@waybill/platform';
import { SUPPLIER_WEBHOOKS_API } from './inventory.openapi';
import { ReceiveSupplierMessageService } from '../supplier-messages/receive-supplier-message.service';

/** Suppliers authenticate by signature (their `INVENTORY_SUPPLIER_<NAME>_WEBHOOK_SECRET`), not API key. */
@Public()
@Controller('v1/webhooks/suppliers')
export class SupplierWebhooksController {
  constructor(private readonly messages: ReceiveSupplierMessageService) {}

  /** The answer is the supplier's acknowledgement, once the message is applied. */
  @Post(':supplier')
  @HttpCode(200)
  @ApiDoc(SUPPLIER_WEBHOOKS_API.receive)
  async receive(
    @Param('supplier') supplier: string,
    @RawBody() rawBody: Buffer,
    @Headers() headers: WebhookHeaders,
    @Res() response: AcknowledgementResponse,
  ): Promise<void> {
    sendAcknowledgement(response, await this.messages.receive(supplier, rawBody, headers));
  }
}
