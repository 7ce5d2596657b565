import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiDoc, CurrentPrincipal, HttpResponse, Principal, RequireScopes } from '@waybill/platform';
import { answerIdempotently, checkIdempotencyKeyHeader, UnitsOfWork } from '@waybill/eventing';
import { CancelOrder } from '../advance-order/cancel-order.service';
import { OrdersNotVisible, StorefrontsOnly } from '../order-errors';
import { PlaceOrderRequestHandler } from '../place-order/place-order-request.service';
import { OrderQueries } from '../query-orders/order-queries.service';
import { OrderReader } from '../policies/order-reader';
import { OrderView } from '../policies/order-view';
import { FindOrdersQuery } from './find-orders.query';
import { ORDERS_API } from './orders.openapi';
import { PlaceOrderBody } from './place-order.body';

@Controller('v1/orders')
export class OrdersController {
  constructor(
    private readonly placeOrder: PlaceOrderRequestHandler,
    private readonly cancelOrder: CancelOrder,
    private readonly queries: OrderQueries,
    private readonly units: UnitsOfWork,
  ) {}

  @Post()
  @RequireScopes('orders:write')
  @ApiDoc(ORDERS_API.place)
  async place(
    @CurrentPrincipal() principal: Principal,
    @Body() body: PlaceOrderBody,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Res({ passthrough: true }) response: HttpResponse,
  ): Promise<OrderView> {
    checkIdempotencyKeyHeader(idempotencyKey);
    if (principal.kind !== 'storefront') {
      throw new StorefrontsOnly(principal.principal);
    }
    const result = await this.placeOrder.handle({
      principal: principal.principal,
      idempotencyKey,
      body,
      command: { ...body, storefrontId: principal.id },
    });
    response.setHeader('Location', result.body.links.self);
    return answerIdempotently(response, result);
  }

  @Get()
  @RequireScopes('orders:read')
  @ApiDoc(ORDERS_API.find)
  async find(
    @CurrentPrincipal() principal: Principal,
    @Query() query: FindOrdersQuery,
  ): Promise<{ items: OrderView[] }> {
    const items = await this.queries.findByStorefrontOrderId(
      readerOf(principal),
      query.storefrontOrderId,
      query.storefrontId,
    );
    return { items };
  }

  @Get(':id')
  @RequireScopes('orders:read')
  @ApiDoc(ORDERS_API.get)
  async get(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<OrderView> {
    return this.queries.get(readerOf(principal), id);
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @RequireScopes('orders:write')
  @ApiDoc(ORDERS_API.cancel)
  async cancel(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<OrderView> {
    return this.units.run((uow) =>
      this.cancelOrder.execute(uow, { reader: readerOf(principal), orderId: id }),
    );
  }
}

function readerOf(principal: Principal): OrderReader {
  if (principal.kind === 'admin') {
    return { kind: 'admin' };
  }
  if (principal.kind === 'storefront') {
    return { kind: 'storefront', storefrontId: principal.id };
  }
  throw new OrdersNotVisible(principal.principal);
}
