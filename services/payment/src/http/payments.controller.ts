import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiDoc, RequireScopes } from '@waybill/platform';
import { PAYMENTS_API } from './payments.openapi';
import { GetPaymentService, PaymentView } from '../get-payment/get-payment.service';
import { RefundPaymentService } from '../refund-payment/refund-payment.service';
import { RefundPaymentDto } from './refund-payment.dto';

@Controller('v1/payments')
export class PaymentsController {
  constructor(
    private readonly getPayment: GetPaymentService,
    private readonly refundPayment: RefundPaymentService,
  ) {}

  @Get(':orderId')
  @RequireScopes('payments:read')
  @ApiDoc(PAYMENTS_API.get)
  get(@Param('orderId', new ParseUUIDPipe()) orderId: string): Promise<PaymentView> {
    return this.getPayment.get(orderId);
  }

  @Post(':orderId/refund')
  @HttpCode(201)
  @RequireScopes('payments:refund')
  @ApiDoc(PAYMENTS_API.refund)
  async refund(
    @Param('orderId', new ParseUUIDPipe()) orderId: string,
    @Body() body: RefundPaymentDto,
  ): Promise<{
    refundId: string;
    orderId: string;
    amount: number;
    reason: string | null;
    refundedAt: string;
  }> {
    const refund = await this.refundPayment.refund(
      orderId,
      body.amount,
      body.reason ?? 'PAYMENT.OPERATOR_REQUEST',
    );
    return {
      refundId: refund.id,
      orderId,
      amount: refund.amount,
      reason: refund.reason ?? null,
      refundedAt: refund.refundedAt.toISOString(),
    };
  }
}
