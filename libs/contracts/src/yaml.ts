/*
 * A small YAML writer for the AsyncAPI file: block style, strings quoted unless plainly safe.
 * Enough for JSON-shaped data, deterministic, and it spares the lib a YAML dependency. Quotes
 * follow the repo's Prettier style (single unless the text has more ' than "), so the generated
 * file passes `prettier --check` as written.
 */

const PLAIN = /^[A-Za-z_$][A-Za-z0-9_$ ./-]*$/;
const RESERVED = /^(true|false|yes|no|on|off|y|n|null|~)$/i;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isBlock(value: unknown): boolean {
  return Array.isArray(value) ? value.length > 0 : isRecord(value) && Object.keys(value).length > 0;
}

/** Characters a YAML single-quoted or block scalar cannot hold as they are. */
function hasControlCharacter(value: string): boolean {
  return [...value].some((char) => {
    const code = char.codePointAt(0) ?? 0;
    return code < 0x20 || code === 0x7f || code === 0x85 || code === 0x2028 || code === 0x2029;
  });
}

function text(value: string): string {
  if (PLAIN.test(value) && !RESERVED.test(value) && !value.endsWith(' ')) {
    return value;
  }
  const singles = value.split("'").length - 1;
  const doubles = value.split('"').length - 1;
  if (hasControlCharacter(value) || value.includes('\\') || singles > doubles) {
    return JSON.stringify(value);
  }
  return `'${value.replace(/'/g, "''")}'`;
}

function inline(value: unknown): string {
  if (value === null || value === undefined) {
    return 'null';
  }
  if (typeof value === 'string') {
    return text(value);
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) {
      throw new Error(`cannot write ${value} as YAML`);
    }
    return String(value);
  }
  if (typeof value === 'boolean') {
    return String(value);
  }
  if (Array.isArray(value)) {
    return '[]';
  }
  if (isRecord(value)) {
    return '{}';
  }
  throw new Error(`cannot write a ${typeof value} as YAML`);
}

/** Multi-line prose reads better as a literal block; only used when it round-trips exactly. */
function literalLines(value: unknown): string[] | undefined {
  if (typeof value !== 'string' || !value.includes('\n')) {
    return undefined;
  }
  const lines = value.split('\n');
  const safe = lines.every((line) => line !== '' && !/^\s|\s$/.test(line) && !hasControlCharacter(line));
  return safe ? lines : undefined;
}

function block(value: unknown, indent: number): string[] {
  const pad = ' '.repeat(indent);
  if (Array.isArray(value)) {
    return value.flatMap((item) => {
      if (!isBlock(item)) {
        return [`${pad}- ${inline(item)}`];
      }
      const lines = block(item, indent + 2);
      lines[0] = `${pad}- ${lines[0].slice(indent + 2)}`;
      return lines;
    });
  }
  if (isRecord(value)) {
    return Object.entries(value)
      .filter(([, child]) => child !== undefined)
      .flatMap(([key, child]) => {
        const literal = literalLines(child);
        if (literal) {
          return [`${pad}${text(key)}: |-`, ...literal.map((line) => `${pad}  ${line}`)];
        }
        return isBlock(child)
          ? [`${pad}${text(key)}:`, ...block(child, indent + 2)]
          : [`${pad}${text(key)}: ${inline(child)}`];
      });
  }
  return [`${pad}${inline(value)}`];
}

export function toYaml(value: unknown): string {
  return `${(isBlock(value) ? block(value, 0) : [inline(value)]).join('\n')}\n`;
}
