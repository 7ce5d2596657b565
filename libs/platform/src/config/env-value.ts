import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { Transform } from 'class-transformer';
import { registerDecorator, ValidateIf, ValidationArguments } from 'class-validator';

/**
 * What an env parser returns instead of throwing: class-transformer cannot report errors, so the
 * reason rides along as the property value and the `@EnvValue` validator turns it into a message.
 * Reasons never contain the raw value, so they are safe to print for `@Secret()` properties.
 */
export class InvalidEnvValue {
  constructor(readonly reason: string) {}
}

export type EnvParser<T> = (raw: string) => T | InvalidEnvValue;

/**
 * Parses a property from its env string with `parse` and fails validation with the parser's reason.
 * Unset stays unset (so a class default applies); a required property without a default fails.
 */
export function EnvValue<T>(parse: EnvParser<T>): PropertyDecorator {
  const transform = Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' ? parse(value) : value,
  );
  return (target, propertyKey) => {
    transform(target, propertyKey);
    registerDecorator({
      name: 'envValue',
      target: target.constructor,
      propertyName: String(propertyKey),
      validator: {
        validate: (value: unknown) => value !== undefined && !(value instanceof InvalidEnvValue),
        defaultMessage: (args?: ValidationArguments) =>
          args?.value instanceof InvalidEnvValue ? args.value.reason : 'is not set',
      },
    });
  };
}

export interface IntRange {
  readonly min: number;
  readonly max: number;
}

export function parseIntInRange(raw: string, { min, max }: IntRange): number | InvalidEnvValue {
  const text = raw.trim();
  // Number('') is 0 and parseInt('12abc') is 12: only a plain decimal integer is accepted.
  const value = /^[+-]?\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    return new InvalidEnvValue(`must be an integer between ${min} and ${max}`);
  }
  return value;
}

const TRUE_WORDS = new Set(['true', '1', 'yes', 'on']);
const FALSE_WORDS = new Set(['false', '0', 'no', 'off']);

export function parseBoolean(raw: string): boolean | InvalidEnvValue {
  const word = raw.trim().toLowerCase();
  if (TRUE_WORDS.has(word)) {
    return true;
  }
  if (FALSE_WORDS.has(word)) {
    return false;
  }
  return new InvalidEnvValue('must be a boolean (true/false, 1/0, yes/no, on/off)');
}

export interface ListOptions {
  /** Each item must match; `description` says what in the error, e.g. "host:port". */
  readonly item?: { readonly pattern: RegExp; readonly description: string };
  /** Default 1: an empty list is almost always a typo in a deployment file. */
  readonly minItems?: number;
}

/** `a, b,,c` → `['a', 'b', 'c']`: blanks are dropped because trailing commas are common in YAML. */
export function parseCommaList(raw: string, options: ListOptions = {}): string[] | InvalidEnvValue {
  const items = raw
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
  const minItems = options.minItems ?? 1;
  if (items.length < minItems) {
    return new InvalidEnvValue(`must be a comma-separated list of at least ${minItems} item(s)`);
  }
  const { item } = options;
  if (item) {
    const bad = items.findIndex((entry) => !item.pattern.test(entry));
    if (bad >= 0) {
      return new InvalidEnvValue(`item ${bad + 1} of the comma-separated list must be ${item.description}`);
    }
  }
  return items;
}

/** An integer in `[min, max]`, e.g. `@EnvInt({ min: 1, max: 65535 }) PORT = 3001`. */
export const EnvInt = (range: IntRange): PropertyDecorator => EnvValue((raw) => parseIntInRange(raw, range));

export const EnvBoolean = (): PropertyDecorator => EnvValue(parseBoolean);

/** e.g. `@EnvList({ item: { pattern: /^[\w.-]+:\d+$/, description: 'host:port' } }) KAFKA_BROKERS!: string[]` */
export const EnvList = (options: ListOptions = {}): PropertyDecorator =>
  EnvValue((raw) => parseCommaList(raw, options));

/** One of a fixed set of words, e.g. NODE_ENV. */
export function EnvEnum<T extends string>(allowed: readonly T[]): PropertyDecorator {
  return EnvValue((raw): T | InvalidEnvValue => {
    const word = raw.trim();
    return (allowed as readonly string[]).includes(word)
      ? (word as T)
      : new InvalidEnvValue(`must be one of ${allowed.join(', ')}`);
  });
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]+?-----END \1-----/;

/**
 * A key or certificate as PEM text, or `file:<path>` to a PEM file (how Kubernetes mounts a
 * secret). Literal `\n` sequences are turned into newlines, since a PEM pasted into one env line
 * often arrives that way. The reason never quotes the value: keys are secrets.
 */
export function parsePem(raw: string): string | InvalidEnvValue {
  let text = raw.trim();
  if (text.startsWith('file:')) {
    const path = text.slice('file:'.length);
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'an error';
      return new InvalidEnvValue(`names a file that cannot be read (${code})`);
    }
  }
  text = text.replace(/\\n/g, '\n').trim();
  if (!PEM_BLOCK.test(text)) {
    return new InvalidEnvValue('must be PEM text (-----BEGIN …-----) or file:<path> to a PEM file');
  }
  return `${text}\n`;
}

/** A PEM key or certificate, inline or `file:<path>`. */
export const EnvPem = (): PropertyDecorator => EnvValue(parsePem);

/**
 * Settings that only make sense together (a provider's credentials): each is optional, but once
 * one of `group` is set, every one must be. Put it on each member, naming the whole group.
 */
export function SetTogether(group: readonly string[]): PropertyDecorator {
  const anySet = (object: object) =>
    group.some((name) => (object as Record<string, unknown>)[name] !== undefined);
  return (target, propertyKey) => {
    // None set: the provider is off and none of the member's own rules apply (as @IsOptional).
    ValidateIf(anySet)(target, propertyKey);
    registerDecorator({
      name: 'setTogether',
      target: target.constructor,
      propertyName: String(propertyKey),
      validator: {
        validate: (value: unknown, args?: ValidationArguments) => {
          const object = (args?.object ?? {}) as Record<string, unknown>;
          return value !== undefined || group.every((name) => object[name] === undefined);
        },
        defaultMessage: (args?: ValidationArguments) => {
          const object = (args?.object ?? {}) as Record<string, unknown>;
          const set = group.filter((name) => object[name] !== undefined);
          return `must be set as well, since ${set.join(', ')} ${set.length === 1 ? 'is' : 'are'}: ${group.join(', ')} go together`;
        },
      },
    });
  };
}

const ENV_GROUPS = Symbol('waybill:config-env-groups');

/**
 * The property is read from every variable whose name starts with `prefix` (declared properties
 * excepted), for settings named after something configured, e.g. `INVENTORY_SUPPLIER_<NAME>_URL`.
 * Its parser (`@EnvValue`) gets them as one JSON object `{ "<full name>": "<value>" }`, sorted by
 * name; with none set the property is unset and its default applies.
 */
export function EnvGroup(prefix: string): PropertyDecorator {
  return (target, propertyKey) => {
    const inherited =
      (Reflect.getMetadata(ENV_GROUPS, target) as readonly [string, string][] | undefined) ?? [];
    Reflect.defineMetadata(ENV_GROUPS, [...inherited, [String(propertyKey), prefix]], target);
  };
}

export function envGroupsOf(schema: abstract new () => object): readonly (readonly [string, string])[] {
  return (
    (Reflect.getMetadata(ENV_GROUPS, schema.prototype as object) as [string, string][] | undefined) ?? []
  );
}

const SECRETS = Symbol('waybill:config-secrets');

/** Marks a config property whose value must never appear in an error message or a log line. */
export function Secret(): PropertyDecorator {
  return (target, propertyKey) => {
    // getMetadata walks the prototype chain, so a subclass list starts from its parent's.
    const inherited = (Reflect.getMetadata(SECRETS, target) as readonly string[] | undefined) ?? [];
    Reflect.defineMetadata(SECRETS, [...inherited, String(propertyKey)], target);
  };
}

export function secretPropertiesOf(schema: abstract new () => object): ReadonlySet<string> {
  return new Set(
    (Reflect.getMetadata(SECRETS, schema.prototype as object) as readonly string[] | undefined) ?? [],
  );
}
