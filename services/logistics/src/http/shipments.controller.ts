import { Controller, Get, Param, ParseUUIDPipe, Query } from '@nestjs/common';
import { RequireScopes } from '@waybill/platform';
import { ShipmentQueries, ShipmentView } from '../query-shipments/shipment-queries.service';
import type { UnmappedStatusCount } from '../persistence/shipment.repository';
import { ShipmentsQueryDto } from './shipments-query.dto';

@Controller('v1')
@RequireScopes('shipments:read')
export class ShipmentsController {
  constructor(private readonly queries: ShipmentQueries) {}

  @Get('shipments/:id')
  get(@Param('id', new ParseUUIDPipe()) id: string): Promise<ShipmentView> {
    return this.queries.get(id);
  }

  @Get('shipments')
  byOrder(@Query() query: ShipmentsQueryDto): Promise<{ items: ShipmentView[] }> {
    return this.queries.byOrder(query.orderId);
  }

  /** Carrier codes no mapping table knows, with how often each was seen. */
  @Get('carriers/unmapped-statuses')
  unmapped(): Promise<{ items: UnmappedStatusCount[] }> {
    return this.queries.unmappedStatuses();
  }
}
