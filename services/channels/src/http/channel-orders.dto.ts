import {
  IsIn,
  IsInt,
  IsOptional,
  IsUUID,
  Length,
  Matches,
  Max,
  Min,
  registerDecorator,
  ValidateIf,
  ValidationArguments,
} from 'class-validator';
import { IsNestedArray, IsQuantity, IsSku, IsSlug } from '@waybill/contracts';
import { PageLimitQuery } from '@waybill/platform';
import type { SkuRule } from '../domain/sku-mapping';

/** Kits larger than this are a catalogue problem, not a mapping. */
const MAX_KIT_LINES = 50;
const MAX_MULTIPLIER = 10_000;

export class SkuRouteParams {
  @IsSlug()
  id!: string;

  /** As the platform sends it: any printable text (path-encoded), no control characters. */
  @Length(1, 255)
  @Matches(/^[^\p{Cc}]+$/u, { message: 'channelSku may not contain control characters' })
  channelSku!: string;
}

export class KitLineBody {
  @IsSku()
  sku!: string;

  @IsQuantity()
  quantity!: number;
}

/** Says that exactly one of `sku`, `lines` and `ignore` is given: a rule is one of the three. */
function IsOneRuleKind(): PropertyDecorator {
  return (target, propertyKey) => {
    registerDecorator({
      name: 'isOneRuleKind',
      target: target.constructor,
      propertyName: String(propertyKey),
      validator: {
        validate: (_value: unknown, args: ValidationArguments) => {
          const body = args.object as Partial<SkuRuleBody>;
          return (
            [body.sku !== undefined, body.lines !== undefined, body.ignore !== undefined].filter(Boolean)
              .length === 1
          );
        },
        defaultMessage: () =>
          'sku: give exactly one of sku (with an optional multiplier), lines (a kit) or ignore: true',
      },
    });
  };
}

/** `PUT /v1/channels/connections/:id/skus/:channelSku`: `{sku, multiplier?}`, `{lines}` or `{ignore: true}`. */
export class SkuRuleBody {
  @IsOneRuleKind()
  @ValidateIf((body: SkuRuleBody) => body.sku !== undefined)
  @IsSku()
  sku?: string;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_MULTIPLIER)
  multiplier?: number;

  @IsOptional()
  @IsNestedArray(() => KitLineBody, 1, MAX_KIT_LINES)
  lines?: KitLineBody[];

  @IsOptional()
  @IsIn([true])
  ignore?: true;
}

export function skuRuleOf(body: SkuRuleBody): SkuRule {
  if (body.ignore) {
    return { kind: 'ignore' };
  }
  if (body.lines) {
    return { kind: 'kit', lines: body.lines.map(({ sku, quantity }) => ({ sku, quantity })) };
  }
  return { kind: 'sku', sku: body.sku ?? '', multiplier: body.multiplier ?? 1 };
}

export class SkuListQuery extends PageLimitQuery {
  @IsOptional()
  @Length(1, 255)
  cursor?: string;
}

export class HeldOrdersQuery extends PageLimitQuery {
  @IsOptional()
  @IsUUID()
  cursor?: string;

  @IsOptional()
  @IsSlug()
  connectionId?: string;
}

export class HeldOrderParams {
  @IsUUID()
  id!: string;
}
