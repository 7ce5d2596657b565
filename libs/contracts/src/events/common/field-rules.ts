import 'reflect-metadata';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsEmail,
  IsInt,
  IsObject,
  IsISO31661Alpha2,
  IsISO4217CurrencyCode,
  IsISO8601,
  IsString,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateIf,
  ValidateNested,
  ValidationOptions,
} from 'class-validator';
import { JSONSchema } from 'class-validator-jsonschema';

/*
 * Field rules shared by every contract, so one concept (money, SKU, timestamp…) has one rule
 * everywhere. Loosening a rule is safe; tightening one breaks every event that uses it, which the
 * schema snapshot test reports.
 */

const DESCRIPTION = Symbol('waybill:schema-description');

function compose(...decorators: PropertyDecorator[]): PropertyDecorator {
  return (target, key) => {
    for (const decorator of decorators) {
      decorator(target, key);
    }
  };
}

/** A property description for the JSON Schema and AsyncAPI (applied by event-schemas.ts). */
export function Describe(text: string): PropertyDecorator {
  return (target, key) => Reflect.defineMetadata(DESCRIPTION, text, target, key);
}

export function describedAs(cls: abstract new () => object, property: string): string | undefined {
  return Reflect.getMetadata(DESCRIPTION, cls.prototype as object, property) as string | undefined;
}

/**
 * May be omitted, but not `null`: `@IsOptional` accepts null, which the published JSON Schema
 * (`type: string`, …) refuses, and the two must agree.
 */
export function OptionalProperty(): PropertyDecorator {
  return ValidateIf((_object, value) => value !== undefined);
}

export const MAX_MONEY = Number.MAX_SAFE_INTEGER;
export const MAX_QUANTITY = 1_000_000;
export const MAX_STOCK = 1_000_000_000;
export const MAX_LINES = 100;

/** Money is an integer in minor units (cents for EUR), never a float. */
export function IsMoney(): PropertyDecorator {
  return compose(
    Describe('Amount in minor units of the currency (e.g. cents), as an integer.'),
    Min(0),
    Max(MAX_MONEY),
    IsInt(),
  );
}

/** ISO 4217 alphabetic code; the pattern is what the JSON Schema publishes. */
export function IsCurrencyCode(): PropertyDecorator {
  return compose(
    Describe('ISO 4217 currency code, e.g. EUR.'),
    IsISO4217CurrencyCode(),
    Matches(/^[A-Z]{3}$/),
    IsString(),
  );
}

/** ISO 3166-1 alpha-2 in upper case (class-validator alone also accepts `de`). */
export function IsCountryCode(): PropertyDecorator {
  return compose(
    Describe('ISO 3166-1 alpha-2 country code, e.g. DE.'),
    IsISO31661Alpha2(),
    Matches(/^[A-Z]{2}$/),
    IsString(),
  );
}

/** A positive whole number of units. */
export function IsQuantity(): PropertyDecorator {
  return compose(Min(1), Max(MAX_QUANTITY), IsInt());
}

/** A stock level, which may be zero. */
export function IsStockCount(): PropertyDecorator {
  return compose(Min(0), Max(MAX_STOCK), IsInt());
}

/**
 * An RFC 3339 instant with a zone offset (`2025-03-01T10:15:00Z`). `@IsISO8601` alone also accepts a
 * bare date or a local time, which mean different instants to different services.
 */
export function IsTimestamp(): PropertyDecorator {
  return compose(
    IsISO8601({ strict: true, strictSeparator: true }),
    Matches(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/),
    IsString(),
    // class-validator-jsonschema renders @IsISO8601 as "date or date-time"; we only take date-time.
    JSONSchema((schema) => {
      const { oneOf: _dateOrDateTime, ...rest } = schema;
      return { ...rest, type: 'string', format: 'date-time' };
    }) as PropertyDecorator,
  );
}

/** Stock keeping unit. Also the Kafka key of replenishment events, hence no spaces. */
export function IsSku(options?: ValidationOptions): PropertyDecorator {
  return compose(
    Length(1, 64, options),
    Matches(/^[A-Za-z0-9][A-Za-z0-9._/-]*$/, options),
    IsString(options),
  );
}

/** A machine name that also appears in URLs: payment provider, carrier, supplier, storefront. */
export function IsSlug(): PropertyDecorator {
  return compose(Length(1, 64), Matches(/^[a-z0-9][a-z0-9_-]*$/), IsString());
}

/** An identifier minted outside Waybill (storefront order id, provider payment id, …). */
export function IsExternalId(maxLength = 128): PropertyDecorator {
  return compose(Length(1, maxLength), IsString());
}

/** Free text meant for people: bounded, may not be empty. */
export function IsText(maxLength: number): PropertyDecorator {
  return compose(Length(1, maxLength), IsString());
}

/** 254 characters is the longest address SMTP can deliver to (RFC 5321 path limit). */
export function IsEmailAddress(): PropertyDecorator {
  return compose(MaxLength(254), IsEmail());
}

/** A nested object; `@Type` is what makes class-transformer build the class that carries the rules. */
export function IsNestedObject(type: () => new () => object): PropertyDecorator {
  return compose(Type(type), ValidateNested(), IsObject());
}

/** A bounded array of nested objects: unbounded arrays are a memory hazard for every consumer. */
export function IsNestedArray(
  type: () => new () => object,
  minItems: number,
  maxItems: number,
): PropertyDecorator {
  return compose(
    Type(type),
    ValidateNested({ each: true }),
    ArrayMinSize(minItems),
    ArrayMaxSize(maxItems),
    IsArray(),
  );
}
