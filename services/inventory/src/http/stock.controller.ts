import { Body, Controller, Get, Param, Put } from '@nestjs/common';
import { RequireScopes } from '@waybill/platform';
import { StockLevelsService, StockView } from '../stock-levels/stock-levels.service';
import { SetStockLevelBody, SkuParams } from './stock.dto';

@Controller('v1/stock')
export class StockController {
  constructor(private readonly stockLevels: StockLevelsService) {}

  @Get(':sku')
  @RequireScopes('stock:read')
  get(@Param() { sku }: SkuParams): Promise<StockView> {
    return this.stockLevels.get(sku);
  }

  @Put(':sku')
  @RequireScopes('stock:write')
  set(@Param() { sku }: SkuParams, @Body() body: SetStockLevelBody): Promise<StockView> {
    return this.stockLevels.setOnHand(sku, body.onHand);
  }
}
