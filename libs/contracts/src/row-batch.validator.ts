import { ValidatorConstraint, type ValidationArguments, type ValidatorConstraintInterface } from 'class-validator';
import { RowErrorCodes } from './sync.constant';

// Batches carry a thousand rows; class-validator's per-object machinery costs ~0.1 ms a row, which
// made validation the pipeline's bottleneck. These checks state the same rules as ScheduleRowV1
// and RowErrorV1, in plain code, and name the first offending row and field.
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ERROR_CODES = new Set<string>(RowErrorCodes);

type Check = (value: unknown) => boolean;
const positiveInt: Check = (value) => Number.isInteger(value) && (value as number) >= 1;
const naturalInt: Check = (value) => Number.isInteger(value) && (value as number) >= 0;
const text: Check = (value) => typeof value === 'string';
const nonEmptyText: Check = (value) => typeof value === 'string' && value.length > 0;
const instant: Check = (value) => typeof value === 'string' && INSTANT.test(value) && !Number.isNaN(Date.parse(value));
const day: Check = (value) => typeof value === 'string' && DAY.test(value);
const uuid: Check = (value) => typeof value === 'string' && UUID.test(value);
const optional = (check: Check): Check => (value) => value === undefined || check(value);

const SCHEDULE_ROW: Record<string, Check> = {
  line: positiveInt,
  platformAgentId: nonEmptyText,
  agentName: optional(text),
  activity: text,
  startAt: instant,
  endAt: instant,
  day,
  scheduleDay: optional(day),
  eventTypeId: optional(uuid),
  agentId: optional(uuid),
};

const ROW_ERROR: Record<string, Check> = {
  line: naturalInt,
  column: optional(text),
  code: (value) => typeof value === 'string' && ERROR_CODES.has(value),
  message: text,
  subject: optional(text),
};

function firstProblem(items: unknown, shape: Record<string, Check>, what: string): string | null {
  if (!Array.isArray(items)) return `${what} must be an array`;
  for (let index = 0; index < items.length; index += 1) {
    const item = items[index] as Record<string, unknown> | null;
    if (typeof item !== 'object' || item === null) return `${what}[${index}] must be an object`;
    for (const field in shape) if (!shape[field](item[field])) return `${what}[${index}].${field} is missing or invalid`;
  }
  return null;
}

abstract class ArrayShape implements ValidatorConstraintInterface {
  private problem: string | null = null;
  protected abstract readonly shape: Record<string, Check>;
  validate(items: unknown, args: ValidationArguments): boolean {
    this.problem = firstProblem(items, this.shape, args.property);
    return this.problem === null;
  }
  defaultMessage(): string {
    return this.problem ?? 'invalid';
  }
}

@ValidatorConstraint({ name: 'scheduleRows' })
export class ScheduleRowsShape extends ArrayShape {
  protected readonly shape = SCHEDULE_ROW;
}

@ValidatorConstraint({ name: 'rowErrors' })
export class RowErrorsShape extends ArrayShape {
  protected readonly shape = ROW_ERROR;
}
