import {
  IsIn,
  IsObject,
  IsOptional,
  IsString,
  Length,
  registerDecorator,
  ValidationArguments,
} from 'class-validator';
import { JSONSchema } from 'class-validator-jsonschema';
import jsonata from 'jsonata';
import { IsCurrencyCode, IsNestedObject, IsSlug } from '@waybill/contracts';
import { PageLimitQuery } from '@waybill/platform';
import { CHANNEL_KINDS, type ChannelKind } from '../domain/connection';

const MAX_CREDENTIALS = 8;
const MAX_SECRET_LENGTH = 4096;
const MAX_OVERLAY_LENGTH = 64 * 1024;

/** An absolute http(s) URL without query or fragment: a site or an API base that paths are added to. */
export function isHttpUrl(value: unknown): boolean {
  if (typeof value !== 'string' || value.length > 2048) {
    return false;
  }
  try {
    const url = new URL(value);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.search === '' && url.hash === '';
  } catch {
    return false;
  }
}

function IsHttpUrl(): PropertyDecorator {
  return (target, propertyKey) => {
    registerDecorator({
      name: 'isHttpUrl',
      target: target.constructor,
      propertyName: String(propertyKey),
      validator: {
        validate: isHttpUrl,
        defaultMessage: (args?: ValidationArguments) =>
          `${args?.property ?? 'value'} must be an http(s) URL without query or fragment`,
      },
    });
    JSONSchema({ type: 'string', pattern: '^https?://' })(target, String(propertyKey));
  };
}

/** What `store` is on each platform: what its webhooks and API name the store by. */
const STORE_FORMATS: Record<ChannelKind, { test: (store: string) => boolean; description: string }> = {
  shopify: {
    test: (store) => /^[a-z0-9][a-z0-9-]{0,62}\.myshopify\.com$/.test(store),
    description: 'the shop domain, <shop>.myshopify.com',
  },
  woocommerce: {
    test: isHttpUrl,
    description: 'the site URL, e.g. https://shop.example.com',
  },
  // kdt_id is a 64-bit number on Youzan's side: kept as digits, never as a JS number.
  youzan: { test: (store) => /^[1-9]\d{0,19}$/.test(store), description: 'the kdt_id (digits)' },
};

function isChannel(value: unknown): value is ChannelKind {
  return (CHANNEL_KINDS as readonly unknown[]).includes(value);
}

/** `store` in the format of the body's `channel`; with no valid channel, only a string is asked for. */
function IsStoreOfChannel(): PropertyDecorator {
  return (target, propertyKey) =>
    registerDecorator({
      name: 'isStoreOfChannel',
      target: target.constructor,
      propertyName: String(propertyKey),
      validator: {
        validate(value: unknown, args?: ValidationArguments) {
          const channel = (args?.object as { channel?: unknown } | undefined)?.channel;
          if (typeof value !== 'string' || value.length === 0 || value.length > 255) {
            return false;
          }
          return !isChannel(channel) || STORE_FORMATS[channel].test(value);
        },
        defaultMessage(args?: ValidationArguments) {
          const channel = (args?.object as { channel?: unknown } | undefined)?.channel;
          return isChannel(channel)
            ? `store must be ${STORE_FORMATS[channel].description} for ${channel}`
            : 'store must be a non-empty string of at most 255 characters';
        },
      },
    });
}

/** An IANA time zone the runtime knows (Intl), e.g. Asia/Shanghai. */
export function isTimeZone(value: unknown): boolean {
  if (typeof value !== 'string' || value.length === 0 || value.length > 64) {
    return false;
  }
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

function IsTimeZone(): PropertyDecorator {
  return (target, propertyKey) =>
    registerDecorator({
      name: 'isTimeZone',
      target: target.constructor,
      propertyName: String(propertyKey),
      validator: {
        validate: isTimeZone,
        defaultMessage: () => 'timezone must be an IANA time zone such as Europe/Berlin or Asia/Shanghai',
      },
    });
}

/** Credentials by name, each a non-empty string: their shape differs per platform. */
function IsCredentials(): PropertyDecorator {
  return (target, propertyKey) =>
    registerDecorator({
      name: 'isCredentials',
      target: target.constructor,
      propertyName: String(propertyKey),
      validator: {
        validate(value: unknown) {
          if (typeof value !== 'object' || value === null || Array.isArray(value)) {
            return false;
          }
          const entries = Object.entries(value);
          return (
            entries.length >= 1 &&
            entries.length <= MAX_CREDENTIALS &&
            entries.every(
              ([name, secret]) =>
                /^[A-Za-z][A-Za-z0-9_]{0,63}$/.test(name) &&
                typeof secret === 'string' &&
                secret.length > 0 &&
                secret.length <= MAX_SECRET_LENGTH,
            )
          );
        },
        defaultMessage: () =>
          `credentials must be an object of 1 to ${MAX_CREDENTIALS} named non-empty strings, e.g. {"accessToken": "…"}`,
      },
    });
}

/** A JSONata expression that parses (evaluating it is the mapping's business). */
function IsJsonataExpression(): PropertyDecorator {
  return (target, propertyKey) =>
    registerDecorator({
      name: 'isJsonataExpression',
      target: target.constructor,
      propertyName: String(propertyKey),
      validator: {
        validate(value: unknown) {
          if (typeof value !== 'string' || value.trim() === '' || value.length > MAX_OVERLAY_LENGTH) {
            return false;
          }
          try {
            jsonata(value);
            return true;
          } catch {
            return false;
          }
        },
        defaultMessage: () => 'overlay must be a JSONata expression that parses',
      },
    });
}

export class ConnectionApiDto {
  @IsHttpUrl()
  base!: string;

  @IsCredentials()
  @IsObject()
  // A Record has no class to derive a schema from (the generator would point at one named Object):
  // say what the validator checks instead.
  @JSONSchema((schema) => {
    const rest: Record<string, unknown> = { ...schema };
    delete rest.$ref;
    return {
      ...rest,
      type: 'object',
      minProperties: 1,
      maxProperties: MAX_CREDENTIALS,
      additionalProperties: { type: 'string', minLength: 1, maxLength: MAX_SECRET_LENGTH },
      description: 'By name, as the platform calls them (accessToken; consumerKey and consumerSecret; …).',
    };
  })
  credentials!: Record<string, string>;
}

export class ConnectionDefaultsDto {
  @IsCurrencyCode()
  currency!: string;

  @IsTimeZone()
  timezone!: string;
}

export class ConnectionMappingDto {
  @IsJsonataExpression()
  overlay!: string;
}

export class PutConnectionBody {
  @IsIn(CHANNEL_KINDS)
  channel!: ChannelKind;

  @IsStoreOfChannel()
  store!: string;

  @IsSlug()
  storefrontId!: string;

  @Length(1, MAX_SECRET_LENGTH)
  @IsString()
  signingSecret!: string;

  @IsNestedObject(() => ConnectionApiDto)
  api!: ConnectionApiDto;

  @IsNestedObject(() => ConnectionDefaultsDto)
  defaults!: ConnectionDefaultsDto;

  @IsOptional()
  @IsNestedObject(() => ConnectionMappingDto)
  mapping?: ConnectionMappingDto;
}

export class ConnectionParams {
  @IsSlug()
  id!: string;
}

export class ConnectionListQuery extends PageLimitQuery {
  /** `nextCursor` of the previous page: the last id it had. */
  @IsOptional()
  @IsSlug()
  cursor?: string;
}

export class ChannelWebhookParams {
  @IsSlug()
  connectionId!: string;
}
