/**
 * Platform ids are 64-bit: Shopify order and line ids exceed 2^53, and JSON.parse turns
 * 9007199254740993 into …992 without a word. Node 20's JSON.parse reviver has no `context.source`,
 * so the raw body is scanned here once and every number token is kept as its original text, keyed by
 * its JSON Pointer. Ids then come from that text, never from the lossy double.
 */

export interface RawJson {
  /** What JSON.parse gives: fine for everything except the digits of large numbers. */
  readonly value: unknown;
  /** Every number token's source text, by JSON Pointer (RFC 6901), e.g. `/line_items/0/id`. */
  readonly numbers: ReadonlyMap<string, string>;
}

export type RawJsonResult =
  { readonly ok: true; readonly json: RawJson } | { readonly ok: false; readonly message: string };

export type IdResult =
  | { readonly ok: true; readonly id: string }
  | { readonly ok: false; readonly pointer: string; readonly message: string };

export function parseRawJson(text: string): RawJsonResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return {
      ok: false,
      message: `the body is not JSON: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
  // JSON.parse has accepted the text, so the scanner below may assume well-formed JSON.
  return { ok: true, json: { value, numbers: scanNumbers(text) } };
}

/**
 * The id at `pointer` as a decimal string: a JSON string as it is, a JSON integer from its raw
 * digits. Fractions, exponents, negatives, blanks and anything else are refused with the pointer.
 */
export function externalIdAt(json: RawJson, pointer: string): IdResult {
  const value = valueAt(json.value, pointer);
  if (typeof value === 'string') {
    return value.trim() === ''
      ? { ok: false, pointer, message: `${pointer} is empty` }
      : { ok: true, id: value };
  }
  if (typeof value === 'number') {
    const raw = json.numbers.get(pointer);
    if (raw !== undefined && /^(0|[1-9]\d*)$/.test(raw)) {
      return { ok: true, id: raw };
    }
    return {
      ok: false,
      pointer,
      message: `${pointer} is ${raw ?? String(value)}, not a whole non-negative id`,
    };
  }
  return {
    ok: false,
    pointer,
    message: `${pointer} is ${value === undefined ? 'missing' : `a ${value === null ? 'null' : typeof value}`}, not an id`,
  };
}

/** RFC 6901 lookup on the parsed value. */
export function valueAt(root: unknown, pointer: string): unknown {
  if (pointer === '') {
    return root;
  }
  let node: unknown = root;
  for (const token of pointer.slice(1).split('/')) {
    const name = token.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node)) {
      node = /^(0|[1-9]\d*)$/.test(name) ? (node as unknown[])[Number(name)] : undefined;
    } else if (node !== null && typeof node === 'object') {
      node = Object.prototype.hasOwnProperty.call(node, name)
        ? (node as Record<string, unknown>)[name]
        : undefined;
    } else {
      return undefined;
    }
  }
  return node;
}

function escapePointer(name: string): string {
  return name.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** A recursive-descent walk of well-formed JSON that records where each number token stands. */
function scanNumbers(text: string): Map<string, string> {
  const numbers = new Map<string, string>();
  let at = 0;
  const skipSpace = (): void => {
    while (at < text.length && ' \t\n\r'.includes(text.charAt(at))) {
      at += 1;
    }
  };
  // Between members and elements: the comma, if any, and the space around it.
  const afterItem = (): void => {
    skipSpace();
    if (text.charAt(at) === ',') {
      at += 1;
      skipSpace();
    }
  };
  const readString = (): string => {
    const start = at;
    at += 1;
    while (text.charAt(at) !== '"') {
      at += text.charAt(at) === '\\' ? 2 : 1;
    }
    at += 1;
    // The text is valid JSON, so JSON.parse decodes escapes in the key exactly as it did above.
    return JSON.parse(text.slice(start, at)) as string;
  };
  const readValue = (pointer: string): void => {
    skipSpace();
    const char = text.charAt(at);
    if (char === '{') {
      at += 1;
      skipSpace();
      while (text.charAt(at) !== '}') {
        const name = readString();
        skipSpace();
        at += 1; // ':'
        readValue(`${pointer}/${escapePointer(name)}`);
        afterItem();
      }
      at += 1;
    } else if (char === '[') {
      at += 1;
      skipSpace();
      for (let index = 0; text.charAt(at) !== ']'; index += 1) {
        readValue(`${pointer}/${index}`);
        afterItem();
      }
      at += 1;
    } else if (char === '"') {
      readString();
    } else {
      const start = at;
      while (at < text.length && !',]} \t\n\r'.includes(text.charAt(at))) {
        at += 1;
      }
      const token = text.slice(start, at);
      if (token !== 'true' && token !== 'false' && token !== 'null') {
        // A key repeated in one object: JSON.parse keeps the last, and so does this map.
        numbers.set(pointer, token);
      }
    }
  };
  readValue('');
  return numbers;
}
