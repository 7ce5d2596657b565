/** A value Stripe's form encoding can carry: scalars, nested objects and arrays. */
export type FormValue = string | number | boolean | undefined | FormValue[] | { [key: string]: FormValue };

/**
 * `application/x-www-form-urlencoded` the way Stripe reads it: nested objects as `metadata[order_id]`,
 * arrays as `items[0][price]`. Undefined values are left out.
 */
export function toForm(params: Readonly<Record<string, FormValue>>): string {
  const form = new URLSearchParams();
  const add = (key: string, value: FormValue): void => {
    if (value === undefined) {
      return;
    }
    if (Array.isArray(value)) {
      value.forEach((item, index) => add(`${key}[${index}]`, item));
    } else if (typeof value === 'object') {
      for (const [child, item] of Object.entries(value)) {
        add(`${key}[${child}]`, item);
      }
    } else {
      form.append(key, String(value));
    }
  };
  for (const [key, value] of Object.entries(params)) {
    add(key, value);
  }
  return form.toString();
}
