import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { UnitsOfWork } from '@waybill/eventing';
import { ApiDoc, DEFAULT_PAGE_LIMIT, RequireScopes } from '@waybill/platform';
import { PURCHASE_ORDERS_API } from './inventory.openapi';
import {
  CancelPurchaseOrder,
  PurchaseOrderQueries,
  PurchaseOrderSummary,
  PurchaseOrderView,
} from '../replenishment/purchase-orders.service';
import { CancelPurchaseOrderBody, PurchaseOrderParams, PurchaseOrderQuery } from './replenishment.dto';

@Controller('v1/purchase-orders')
export class PurchaseOrdersController {
  constructor(
    private readonly units: UnitsOfWork,
    private readonly purchaseOrders: PurchaseOrderQueries,
    private readonly cancelPurchaseOrder: CancelPurchaseOrder,
  ) {}

  @Get()
  @RequireScopes('purchase-orders:read')
  @ApiDoc(PURCHASE_ORDERS_API.list)
  list(@Query() query: PurchaseOrderQuery): Promise<{ items: PurchaseOrderSummary[]; nextCursor?: string }> {
    return this.purchaseOrders.list({
      sku: query.sku,
      state: query.state,
      supplier: query.supplier,
      before: query.cursor,
      limit: query.limit ?? DEFAULT_PAGE_LIMIT,
    });
  }

  @Get(':id')
  @RequireScopes('purchase-orders:read')
  @ApiDoc(PURCHASE_ORDERS_API.get)
  get(@Param() { id }: PurchaseOrderParams): Promise<PurchaseOrderView> {
    return this.purchaseOrders.get(id);
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @RequireScopes('purchase-orders:write')
  @ApiDoc(PURCHASE_ORDERS_API.cancel)
  cancel(
    @Param() { id }: PurchaseOrderParams,
    @Body() body: CancelPurchaseOrderBody,
  ): Promise<PurchaseOrderView> {
    return this.units.run((uow) =>
      this.cancelPurchaseOrder.execute(uow, { idOrNumber: id, reason: body.reason }),
    );
  }
}
