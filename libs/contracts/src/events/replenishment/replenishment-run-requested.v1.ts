import { ArrayMaxSize, ArrayMinSize, IsArray, IsUUID } from 'class-validator';
import { EventContract } from '../../registry/event-contract';
import { TOPICS } from '../../topics';
import { Describe, IsSku, IsText, IsTimestamp, OptionalProperty } from '../common/field-rules';

/** An outside trigger for a replenishment run (DESIGN.md lists it beside the HTTP endpoint). */
@EventContract({
  type: 'waybill.replenishment.run-requested.v1',
  topic: TOPICS.replenishmentTriggers,
  description:
    'Someone outside inventory asks for a replenishment run, for some SKUs or all. Key: requestId.',
})
export class ReplenishmentRunRequestedV1 {
  @IsUUID()
  requestId!: string;

  @OptionalProperty()
  @Describe('The SKUs to check; all SKUs if absent.')
  @IsSku({ each: true })
  @ArrayMinSize(1)
  @ArrayMaxSize(1000)
  @IsArray()
  skus?: string[];

  @Describe('Who asked: a system or operator name, for the audit trail.')
  @IsText(128)
  requestedBy!: string;

  @IsTimestamp()
  requestedAt!: string;
}
