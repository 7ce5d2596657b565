import { Controller, Headers, HttpCode, Param, Post } from '@nestjs/common';
import { ApiDoc, Public, RawBody, WebhookHeaders } from '@waybill/platform';
import { SUPPLIER_WEBHOOKS_API } from './inventory.openapi';
import {
  ReceiveSupplierMessageService,
  SupplierMessageAck,
} from '../supplier-messages/receive-supplier-message.service';

/** Suppliers authenticate by signature (their `INVENTORY_SUPPLIER_<NAME>_WEBHOOK_SECRET`), not API key. */
@Public()
@Controller('v1/webhooks/suppliers')
export class SupplierWebhooksController {
  constructor(private readonly messages: ReceiveSupplierMessageService) {}

  @Post(':supplier')
  @HttpCode(200)
  @ApiDoc(SUPPLIER_WEBHOOKS_API.receive)
  receive(
    @Param('supplier') supplier: string,
    @RawBody() rawBody: Buffer,
    @Headers() headers: WebhookHeaders,
  ): Promise<SupplierMessageAck> {
    return this.messages.receive(supplier, rawBody, headers);
  }
}
