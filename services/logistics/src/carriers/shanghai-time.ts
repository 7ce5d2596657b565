/**
 * Carrier times from SF (acceptTime), ZTO (actionTime) and Kuaidi100 (time, ftime) are
 * Asia/Shanghai wall-clock strings `yyyy-MM-dd HH:mm:ss` with no offset (carriers-cn notes §7.2
 * pitfall 10). China has kept UTC+08:00 all year since it dropped daylight saving in 1991, so a
 * fixed offset is exact for every time a parcel can carry, and no timezone library is needed.
 * Next step: the sf, zto and kuaidi100 carriers turn each event time into `occurredAt`
 * (`parseShanghaiTime(…).toISOString()`); a malformed time makes the body unreadable, never "now".
 */

const SHANGHAI_OFFSET_MS = 8 * 3600_000;
const WALL_CLOCK = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;

/**
 * The UTC instant of an Asia/Shanghai wall-clock time `yyyy-MM-dd HH:mm:ss`. Throws on anything
 * else, including impossible dates (2025-02-30) and times (24:00:00); `what` names the field in the
 * error.
 */
export function parseShanghaiTime(value: unknown, what = 'the time'): Date {
  const match = typeof value === 'string' ? WALL_CLOCK.exec(value) : null;
  if (!match) {
    throw new Error(`${what} must be yyyy-MM-dd HH:mm:ss (Asia/Shanghai), got ${describe(value)}`);
  }
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number);
  const wallClockAsUtc = Date.UTC(year, month - 1, day, hour, minute, second);
  const check = new Date(wallClockAsUtc);
  // Date.UTC rolls over (Feb 30 → Mar 2, 24:00 → next day): a changed field means it did not exist.
  if (
    year < 1970 ||
    check.getUTCFullYear() !== year ||
    check.getUTCMonth() !== month - 1 ||
    check.getUTCDate() !== day ||
    check.getUTCHours() !== hour ||
    check.getUTCMinutes() !== minute ||
    check.getUTCSeconds() !== second
  ) {
    throw new Error(`${what} is not a real date and time: ${describe(value)}`);
  }
  return new Date(wallClockAsUtc - SHANGHAI_OFFSET_MS);
}

function describe(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value.slice(0, 40)) : typeof value;
  return typeof value === 'string' && value.length > 40 ? `${text}…` : text;
}
