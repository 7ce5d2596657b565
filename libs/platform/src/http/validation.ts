import { BadRequestException, ValidationPipe } from '@nestjs/common';
import { ValidationError } from 'class-validator';

export interface FieldError {
  /** e.g. `lines[0].quantity` */
  readonly field: string;
  readonly messages: readonly string[];
}

/** Flattens nested and array errors, prefixing every message with the full field path. */
export function fieldErrors(errors: readonly ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = /^\d+$/.test(error.property)
      ? `${parent}[${error.property}]`
      : parent
        ? `${parent}.${error.property}`
        : error.property;
    const messages = Object.entries(error.constraints ?? {}).map(([constraint, message]) => {
      if (constraint === 'whitelistValidation') {
        return `${field} is not an allowed field`;
      }
      // class-validator's defaults start with the bare property name; swap in the whole path.
      return message.startsWith(`${error.property} `)
        ? `${field}${message.slice(error.property.length)}`
        : `${field}: ${message}`;
    });
    const own: FieldError[] = messages.length > 0 ? [{ field, messages }] : [];
    return [...own, ...fieldErrors(error.children ?? [], field)];
  });
}

/** Strict DTO validation: unknown fields are rejected rather than silently dropped. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    // Rejected values are not echoed back: they may be card numbers or addresses.
    validationError: { target: false, value: false },
    exceptionFactory: (errors: ValidationError[]) => {
      const fields = fieldErrors(errors);
      return new BadRequestException({
        code: 'REQUEST.VALIDATION_FAILED',
        message: fields.flatMap((field) => field.messages).join('; '),
        details: { fields },
      });
    },
  });
}
