import { Body, Controller, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { UnitsOfWork } from '@waybill/eventing';
import { ApiDoc, RequireScopes } from '@waybill/platform';
import { ReplenishmentPolicy } from '../domain/replenishment-policy';
import { REPLENISHMENT_API } from './inventory.openapi';
import {
  GetReplenishmentPolicy,
  PolicyView,
  PutReplenishmentPolicy,
  RunReplenishment,
  RunResult,
} from '../replenishment/replenishment.service';
import { ReplenishmentPolicyBody, ReplenishmentRunBody } from './replenishment.dto';
import { SkuParams } from './stock.dto';

@Controller('v1/replenishment')
export class ReplenishmentController {
  constructor(
    private readonly units: UnitsOfWork,
    private readonly putReplenishmentPolicy: PutReplenishmentPolicy,
    private readonly getReplenishmentPolicy: GetReplenishmentPolicy,
    private readonly runReplenishment: RunReplenishment,
  ) {}

  @Put('policies/:sku')
  @RequireScopes('replenishment:write')
  @ApiDoc(REPLENISHMENT_API.putPolicy)
  putPolicy(@Param() { sku }: SkuParams, @Body() body: ReplenishmentPolicyBody): Promise<PolicyView> {
    const policy: ReplenishmentPolicy = {
      sku,
      reorderPoint: body.reorderPoint,
      orderUpTo: body.orderUpTo,
      reorderQuantity: body.reorderQuantity,
      minOrderQuantity: body.minOrderQuantity ?? 1,
      packSize: body.packSize ?? 1,
      leadTimeDays: body.leadTimeDays,
      supplier: body.supplier,
    };
    // Refused before a transaction opens: a bad policy costs no connection.
    this.putReplenishmentPolicy.check(policy);
    return this.units.run((uow) => this.putReplenishmentPolicy.execute(uow, policy));
  }

  @Get('policies/:sku')
  @RequireScopes('replenishment:read')
  @ApiDoc(REPLENISHMENT_API.getPolicy)
  getPolicy(@Param() { sku }: SkuParams): Promise<PolicyView> {
    return this.getReplenishmentPolicy.execute(sku);
  }

  @Post('run')
  @HttpCode(200)
  @RequireScopes('replenishment:write')
  @ApiDoc(REPLENISHMENT_API.run)
  run(@Body() body: ReplenishmentRunBody): Promise<RunResult> {
    return this.units.run((uow) =>
      this.runReplenishment.execute(uow, { skus: body.skus, trigger: 'manual' }),
    );
  }
}
