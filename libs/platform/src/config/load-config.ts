import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { getMetadataStorage, validateSync, ValidationError } from 'class-validator';
import { ConfigError, ConfigIssue } from './config-error';
import { envGroupsOf, InvalidEnvValue, secretPropertiesOf } from './env-value';

export type ConfigSchema<T extends object> = new () => T;
export type Env = Readonly<Record<string, string | undefined>>;

/** Enough of a received value to spot a typo without flooding the terminal. */
const SHOWN_VALUE_CHARS = 80;

/**
 * Builds and validates `schema` from the environment. Only variables the schema declares (has a
 * class-validator rule for) are read, so the rest of the process environment never lands on the
 * config object. Blank values count as unset: `FOO=` in a compose file means "use the default".
 * The result is frozen: configuration is read once at boot.
 */
export function loadConfig<T extends object>(schema: ConfigSchema<T>, env: Env = process.env): T {
  const declared = declaredProperties(schema);
  const plain: Record<string, string> = {};
  for (const name of declared) {
    const raw = env[name];
    if (raw !== undefined && raw.trim() !== '') {
      plain[name] = raw;
    }
  }
  for (const [property, prefix] of envGroupsOf(schema)) {
    delete plain[property];
    const group = Object.entries(env)
      .filter(
        ([name, raw]) =>
          name.startsWith(prefix) && !declared.has(name) && raw !== undefined && raw.trim() !== '',
      )
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    if (group.length > 0) {
      plain[property] = JSON.stringify(Object.fromEntries(group));
    }
  }

  const config = plainToInstance(schema, plain);
  // value/target off: a ValidationError must not carry a secret to whoever prints it.
  const errors = validateSync(config, { validationError: { target: false, value: false } });
  if (errors.length > 0) {
    const secrets = secretPropertiesOf(schema);
    throw new ConfigError(
      schema.name,
      errors.map((error) => toIssue(error, config, plain[error.property], secrets.has(error.property))),
    );
  }
  return deepFreeze(config);
}

/**
 * For a service's main.ts: a bad config is an operator's mistake, not a crash, so print the
 * message alone (no stack) to stderr and exit 1 before Nest starts.
 */
export function loadConfigOrExit<T extends object>(schema: ConfigSchema<T>, env: Env = process.env): T {
  try {
    return loadConfig(schema, env);
  } catch (error) {
    if (!(error instanceof ConfigError)) {
      throw error;
    }
    process.stderr.write(`${error.message}\n`);
    return process.exit(1);
  }
}

/** The variables a config class reads: its properties with a validation rule (what loadConfig reads). */
export function declaredProperties(schema: ConfigSchema<object>): Set<string> {
  const rules = getMetadataStorage().getTargetValidationMetadatas(schema, '', true, false);
  return new Set(rules.map((rule) => rule.propertyName));
}

function toIssue(
  error: ValidationError,
  config: object,
  raw: string | undefined,
  secret: boolean,
): ConfigIssue {
  const variable = error.property;
  const value: unknown = Reflect.get(config, variable);
  if (raw === undefined && value === undefined) {
    // A member of a group set only in part says which others are set (see SetTogether).
    return { variable, reason: error.constraints?.setTogether ?? 'is not set' };
  }

  let reason: string;
  if (value instanceof InvalidEnvValue) {
    reason = value.reason;
  } else {
    // class-validator's defaults read "PORT must be …"; the variable is already in front.
    reason = Object.values(error.constraints ?? {})
      .map((message) => (message.startsWith(`${variable} `) ? message.slice(variable.length + 1) : message))
      .join('; ');
  }

  if (raw === undefined) {
    return { variable, reason };
  }
  if (secret) {
    // A custom validator message may interpolate $value; scrub it just in case.
    return { variable, reason: `${reason.split(raw).join('<redacted>')} (value redacted)` };
  }
  const shown = raw.length > SHOWN_VALUE_CHARS ? `${raw.slice(0, SHOWN_VALUE_CHARS)}…` : raw;
  return { variable, reason: `${reason} (got ${JSON.stringify(shown)})` };
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) {
      deepFreeze(child);
    }
  }
  return value;
}
