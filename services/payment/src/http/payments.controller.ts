import { Body, Controller, Get, Headers, HttpCode, Param, ParseUUIDPipe, Post, Res } from '@nestjs/common';
import { answerIdempotently, checkIdempotencyKeyHeader } from '@waybill/eventing';
import { ApiDoc, CurrentPrincipal, HttpResponse, Principal, RequireScopes } from '@waybill/platform';
import { PAYMENTS_API } from './payments.openapi';
import { GetPayment, PaymentView } from '../get-payment/get-payment.service';
import { RefundPaymentRequestHandler, RefundView } from '../refund-payment/refund-payment.service';
import { RefundPaymentDto } from './refund-payment.dto';

@Controller('v1/payments')
export class PaymentsController {
  constructor(
    private readonly getPayment: GetPayment,
    private readonly refundPayment: RefundPaymentRequestHandler,
  ) {}

  @Get(':orderId')
  @RequireScopes('payments:read')
  @ApiDoc(PAYMENTS_API.get)
  get(@Param('orderId', new ParseUUIDPipe()) orderId: string): Promise<PaymentView> {
    return this.getPayment.execute(orderId);
  }

  @Post(':orderId/refund')
  @HttpCode(201)
  @RequireScopes('payments:refund')
  @ApiDoc(PAYMENTS_API.refund)
  async refund(
    @CurrentPrincipal() principal: Principal,
    @Param('orderId', new ParseUUIDPipe()) orderId: string,
    @Body() body: RefundPaymentDto,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Res({ passthrough: true }) response: HttpResponse,
  ): Promise<RefundView> {
    const answer = await this.refundPayment.handle({
      principal: principal.principal,
      idempotencyKey: checkIdempotencyKeyHeader(idempotencyKey),
      orderId,
      amount: body.amount,
      reason: body.reason ?? 'PAYMENT.OPERATOR_REQUEST',
    });
    return answerIdempotently(response, answer);
  }
}
