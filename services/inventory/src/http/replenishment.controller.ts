import { Body, Controller, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { ApiDoc, RequireScopes } from '@waybill/platform';
import { REPLENISHMENT_API } from './inventory.openapi';
import { PolicyView, ReplenishmentService, RunResult } from '../replenishment/replenishment.service';
import { ReplenishmentPolicyBody, ReplenishmentRunBody } from './replenishment.dto';
import { SkuParams } from './stock.dto';

@Controller('v1/replenishment')
export class ReplenishmentController {
  constructor(private readonly replenishment: ReplenishmentService) {}

  @Put('policies/:sku')
  @RequireScopes('replenishment:write')
  @ApiDoc(REPLENISHMENT_API.putPolicy)
  putPolicy(@Param() { sku }: SkuParams, @Body() body: ReplenishmentPolicyBody): Promise<PolicyView> {
    return this.replenishment.putPolicy({
      sku,
      reorderPoint: body.reorderPoint,
      orderUpTo: body.orderUpTo,
      reorderQuantity: body.reorderQuantity,
      minOrderQuantity: body.minOrderQuantity ?? 1,
      packSize: body.packSize ?? 1,
      leadTimeDays: body.leadTimeDays,
      supplier: body.supplier,
    });
  }

  @Get('policies/:sku')
  @RequireScopes('replenishment:read')
  @ApiDoc(REPLENISHMENT_API.getPolicy)
  getPolicy(@Param() { sku }: SkuParams): Promise<PolicyView> {
    return this.replenishment.getPolicy(sku);
  }

  @Post('run')
  @HttpCode(200)
  @RequireScopes('replenishment:write')
  @ApiDoc(REPLENISHMENT_API.run)
  run(@Body() body: ReplenishmentRunBody): Promise<RunResult> {
    return this.replenishment.run(body.skus, 'manual');
  }
}
