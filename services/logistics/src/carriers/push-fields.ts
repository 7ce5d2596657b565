/**
 * The fields of a carrier push that may come as form fields or as one JSON object (ZTO's track
 * push carries `data`, `data_digest`, `msg_type`, `company_id` either way, carriers-cn notes §2.3).
 * The body's content type decides; anything else is refused, so a body is never guessed at.
 */
import { JsonObject, parseJsonObject } from './json-body';

const FORM = 'application/x-www-form-urlencoded';
const JSON_TYPE = 'application/json';

/**
 * The push's fields: strings from a form (decoded once, as the sender encoded them), whatever the
 * JSON holds from a JSON body. Throws on another or no content type, a body that does not parse,
 * and a form field sent twice (which copy was signed would be a guess).
 */
export function readPushFields(rawBody: Buffer, contentType: string | undefined): JsonObject {
  const mediaType = contentType?.split(';')[0]?.trim().toLowerCase();
  if (mediaType === JSON_TYPE) {
    return parseJsonObject(rawBody);
  }
  if (mediaType !== FORM) {
    throw new Error(`the content type must be ${FORM} or ${JSON_TYPE}, got ${mediaType || 'none'}`);
  }
  const fields: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(rawBody.toString('utf8'))) {
    if (Object.hasOwn(fields, name)) {
      throw new Error(`the form field ${name} is sent more than once`);
    }
    fields[name] = value;
  }
  return fields;
}
