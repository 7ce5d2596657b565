/**
 * Small readers for carrier JSON. They throw with the path of what is wrong, so a malformed
 * webhook is refused with a message naming the field (`msg.tracking_number must be a string`).
 */
export type JsonObject = Readonly<Record<string, unknown>>;

export function parseJsonObject(rawBody: Buffer): JsonObject {
  let value: unknown;
  try {
    value = JSON.parse(rawBody.toString('utf8'));
  } catch {
    throw new Error('the body is not valid JSON');
  }
  return asObject(value, 'the body');
}

export function asObject(value: unknown, path: string): JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`${path} must be an object`);
  }
  return value as JsonObject;
}

export function requiredString(object: JsonObject, key: string, path: string, maxLength = 256): string {
  const value = object[key];
  if (typeof value !== 'string' || value.trim() === '' || value.length > maxLength) {
    throw new Error(`${path}.${key} must be a non-empty string of at most ${maxLength} characters`);
  }
  return value;
}

export function optionalString(object: JsonObject, key: string, maxLength = 500): string | undefined {
  const value = object[key];
  if (typeof value !== 'string' || value.trim() === '') {
    return undefined;
  }
  // Free text from outside is cut, not refused: the contracts bound it and it is only for people.
  return value.length > maxLength ? value.slice(0, maxLength) : value;
}

/**
 * The last object in an optional array: carriers list checkpoints oldest first, and the newest
 * is the one a webhook reports. Anything that is not an array of objects reads as none.
 */
export function lastObjectIn(object: JsonObject, key: string): JsonObject | undefined {
  const value = object[key];
  if (!Array.isArray(value)) {
    return undefined;
  }
  const objects = value.filter(
    (item): item is JsonObject => typeof item === 'object' && item !== null && !Array.isArray(item),
  );
  return objects.at(-1);
}

/**
 * An instant in RFC 3339 form, or undefined. A time without a zone (some carriers send local
 * times) names no instant, so it is not used.
 */
export function instant(value: unknown): string | undefined {
  if (typeof value !== 'string') {
    return undefined;
  }
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(value)) {
    return undefined;
  }
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

/** `Leipzig, DE`: the parts a carrier gave, joined; undefined when it gave none. */
export function joinLocation(...parts: (string | undefined)[]): string | undefined {
  const text = parts.filter((part) => part !== undefined && part.trim() !== '').join(', ');
  return text === '' ? undefined : text.slice(0, 200);
}
