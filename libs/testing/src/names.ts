import { randomBytes } from 'node:crypto';

let sequence = 0;

function uniqueSuffix(): string {
  return `${Date.now().toString(36)}${(++sequence).toString(36)}${randomBytes(3).toString('hex')}`;
}

/**
 * A topic-name prefix no other test run uses, e.g. `it.orders.lz3k9a1f3c2b1`; append `.<topic>`.
 * Topic names allow `[a-zA-Z0-9._-]`; anything else in `base` becomes `-`.
 */
export function uniqueTopicPrefix(base = 'it'): string {
  const clean = base.replace(/[^a-zA-Z0-9._-]/g, '-').slice(0, 100) || 'it';
  return `${clean}.${process.pid}.${uniqueSuffix()}`;
}

/** A unique lower-case identifier (database names, consumer groups): `<base>_<suffix>`, at most `maxLength`. */
export function uniqueIdentifier(base = 'test', maxLength = 63): string {
  const suffix = uniqueSuffix();
  const clean = (
    base
      .toLowerCase()
      .replace(/[^a-z0-9_]/g, '_')
      .replace(/^[^a-z_]/, '_') || 'test'
  ).slice(0, Math.max(1, maxLength - suffix.length - 1));
  return `${clean}_${suffix}`;
}
