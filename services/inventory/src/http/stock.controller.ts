import { Body, Controller, Get, Param, Put } from '@nestjs/common';
import { ApiDoc, RequireScopes } from '@waybill/platform';
import { STOCK_API } from './inventory.openapi';
import { UnitsOfWork } from '@waybill/eventing';
import { GetStockLevel, SetStockLevel, StockView } from '../stock-levels/stock-levels.service';
import { SetStockLevelBody, SkuParams } from './stock.dto';

@Controller('v1/stock')
export class StockController {
  constructor(
    private readonly units: UnitsOfWork,
    private readonly getStockLevel: GetStockLevel,
    private readonly setStockLevel: SetStockLevel,
  ) {}

  @Get(':sku')
  @RequireScopes('stock:read')
  @ApiDoc(STOCK_API.get)
  get(@Param() { sku }: SkuParams): Promise<StockView> {
    return this.getStockLevel.execute(sku);
  }

  @Put(':sku')
  @RequireScopes('stock:write')
  @ApiDoc(STOCK_API.set)
  set(@Param() { sku }: SkuParams, @Body() body: SetStockLevelBody): Promise<StockView> {
    return this.units.run((uow) => this.setStockLevel.execute(uow, { sku, onHand: body.onHand }));
  }
}
