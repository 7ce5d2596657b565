import { Body, Controller, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { UnitsOfWork } from '@waybill/eventing';
import { ApiDoc, DEFAULT_PAGE_LIMIT, RequireScopes } from '@waybill/platform';
import { ChannelOrderView, HeldOrderPage, HeldOrders } from '../held-orders/held-orders.service';
import { SkuMappingPage, SkuMappingView, SkuTable } from '../held-orders/sku-table.service';
import { CHANNEL_ORDERS_API } from './channels.openapi';
import {
  HeldOrderParams,
  HeldOrdersQuery,
  SkuListQuery,
  SkuRouteParams,
  SkuRuleBody,
  skuRuleOf,
} from './channel-orders.dto';
import { ConnectionParams } from './connection.dto';

/** The SKU tables and the held orders: an operator's repair work, under the connections' scope. */
@Controller('v1/channels')
@RequireScopes('channels:admin')
export class ChannelOrdersController {
  constructor(
    private readonly units: UnitsOfWork,
    private readonly skuTable: SkuTable,
    private readonly heldOrders: HeldOrders,
  ) {}

  @Put('connections/:id/skus/:channelSku')
  @ApiDoc(CHANNEL_ORDERS_API.putSku)
  putSku(@Param() { id, channelSku }: SkuRouteParams, @Body() body: SkuRuleBody): Promise<SkuMappingView> {
    return this.units.run((uow) => this.skuTable.put(uow, id, channelSku, skuRuleOf(body)));
  }

  @Get('connections/:id/skus')
  @ApiDoc(CHANNEL_ORDERS_API.listSkus)
  listSkus(@Param() { id }: ConnectionParams, @Query() query: SkuListQuery): Promise<SkuMappingPage> {
    return this.skuTable.list(id, { cursor: query.cursor, limit: query.limit ?? DEFAULT_PAGE_LIMIT });
  }

  @Get('held-orders')
  @ApiDoc(CHANNEL_ORDERS_API.listHeld)
  listHeld(@Query() query: HeldOrdersQuery): Promise<HeldOrderPage> {
    return this.heldOrders.list({
      connectionId: query.connectionId,
      cursor: query.cursor,
      limit: query.limit ?? DEFAULT_PAGE_LIMIT,
    });
  }

  @Get('held-orders/:id')
  @ApiDoc(CHANNEL_ORDERS_API.getHeld)
  getHeld(@Param() { id }: HeldOrderParams): Promise<ChannelOrderView> {
    return this.heldOrders.get(id);
  }

  @Post('held-orders/:id/release')
  @HttpCode(200)
  @ApiDoc(CHANNEL_ORDERS_API.release)
  release(@Param() { id }: HeldOrderParams): Promise<ChannelOrderView> {
    return this.units.run((uow) => this.heldOrders.release(uow, id));
  }
}
