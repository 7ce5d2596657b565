import { Controller, Get, Param, ParseUUIDPipe, Query } from '@nestjs/common';
import { ApiDoc, CurrentPrincipal, Principal, RequireScopes } from '@waybill/platform';
import { SHIPMENTS_API } from './logistics.openapi';
import { ShipmentQueries, ShipmentView } from '../query-shipments/shipment-queries.service';
import { readerOf } from '../query-shipments/shipment-reader';
import type { UnmappedStatusCount } from '../query-shipments/shipment-queries.service';
import { ShipmentsQueryDto } from './shipments-query.dto';

@Controller('v1')
@RequireScopes('shipments:read')
export class ShipmentsController {
  constructor(private readonly queries: ShipmentQueries) {}

  @Get('shipments/:id')
  @ApiDoc(SHIPMENTS_API.get)
  get(
    @CurrentPrincipal() principal: Principal,
    @Param('id', new ParseUUIDPipe()) id: string,
  ): Promise<ShipmentView> {
    return this.queries.get(readerOf(principal), id);
  }

  @Get('shipments')
  @ApiDoc(SHIPMENTS_API.byOrder)
  byOrder(
    @CurrentPrincipal() principal: Principal,
    @Query() query: ShipmentsQueryDto,
  ): Promise<{ items: ShipmentView[] }> {
    return this.queries.byOrder(readerOf(principal), query.orderId);
  }

  /** Carrier codes no mapping table knows, with how often each was seen. */
  @Get('carriers/unmapped-statuses')
  @ApiDoc(SHIPMENTS_API.unmapped)
  unmapped(): Promise<{ items: UnmappedStatusCount[] }> {
    return this.queries.unmappedStatuses();
  }
}
