import { ParseUUIDPipe, ValidationPipe, type ValidationError } from '@nestjs/common';
import { ValidateIf, registerDecorator, type ValidationOptions } from 'class-validator';
import { isValidTimeZone } from '@bpo/schedule-time';
import { invalidField, RequestValidationException, type FieldProblem } from './config-api.exception';

/** The global pipe: DTOs are instantiated, unknown fields refused, every problem named by its field. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    transform: true,
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    exceptionFactory: (errors) => new RequestValidationException(fieldProblems(errors)),
  });
}

export function fieldProblems(errors: readonly ValidationError[], prefix = ''): FieldProblem[] {
  return errors.flatMap((error) => {
    const field = `${prefix}${error.property}`;
    const own = error.constraints ? [{ field, problems: Object.values(error.constraints) }] : [];
    return [...own, ...fieldProblems(error.children ?? [], `${field}.`)];
  });
}

/** Optional, but when present must not be null: for PATCH fields whose column is NOT NULL. */
export function IsOptionalNonNull(): PropertyDecorator {
  return ValidateIf((_object, value) => value !== undefined);
}

/** An IANA time zone name (`Europe/Paris`); abbreviations (`EST`, `IST`) and offsets are refused. */
export function IsTimeZone(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isTimeZone',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: `${String(propertyName)} must be an IANA time zone such as Europe/Paris`, ...options },
      validator: { validate: (value: unknown) => typeof value === 'string' && isValidTimeZone(value) },
    });
}

/** Path ids are UUIDs; anything else is a 400 naming the parameter. */
export function uuidPipe(name: string): ParseUUIDPipe {
  return new ParseUUIDPipe({ exceptionFactory: () => invalidField(name, `${name} must be a UUID`) });
}
