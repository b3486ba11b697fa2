import { ValidatorConstraint, type ValidationArguments, type ValidatorConstraintInterface } from 'class-validator';
import { RowErrorCodes } from './sync.constant';

// Batches carry thousands of rows; class-validator's per-object machinery costs ~0.1 ms a row, which
// made validation the pipeline's bottleneck. These checks state the rules of RowsBatchV2 and
// RowErrorV1 in plain code, and name the first offending row and field.
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ERROR_CODES = new Set<string>(RowErrorCodes);
/** Instants as epoch milliseconds between 1970 and 2200: anything else is not a schedule's time. */
const LATEST_INSTANT_MS = Date.UTC(2200, 0, 1);

type Check = (value: unknown) => boolean;
const naturalInt: Check = (value) => Number.isInteger(value) && (value as number) >= 0;
const text: Check = (value) => typeof value === 'string';
const nonEmptyText: Check = (value) => typeof value === 'string' && value.length > 0;
const day: Check = (value) => typeof value === 'string' && DAY.test(value);
const optional = (check: Check): Check => (value) => value === undefined || check(value);

function listProblem(items: unknown, check: Check, what: string): string | null {
  if (!Array.isArray(items)) return `${what} must be an array`;
  for (let index = 0; index < items.length; index += 1) if (!check(items[index])) return `${what}[${index}] is missing or invalid`;
  return null;
}

/** A position in one of the batch's lists (`platformAgentIds`, `activities`, `days`). */
function positionIn(batch: Record<string, unknown>, list: string): Check {
  const size = Array.isArray(batch[list]) ? (batch[list] as unknown[]).length : 0;
  return (value) => Number.isInteger(value) && (value as number) >= 0 && (value as number) < size;
}

/**
 * Columns of one object (`what`): every column an array as long as the first one named in `shape`,
 * every value passing its column's check.
 */
function columnsProblem(value: unknown, what: string, shape: ReadonlyArray<[string, Check]>): string | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return `${what} must be an object of columns`;
  const columns = value as Record<string, unknown>;
  const first = shape[0][0];
  const length = Array.isArray(columns[first]) ? (columns[first] as unknown[]).length : -1;
  for (const [name, check] of shape) {
    const column = columns[name];
    if (!Array.isArray(column) || column.length !== length) return `${what}.${name} must be an array as long as ${what}.${first}`;
    for (let index = 0; index < length; index += 1) if (!check(column[index])) return `${what}.${name}[${index}] is missing or invalid`;
  }
  return null;
}

const instant: Check = (value) => Number.isInteger(value) && (value as number) >= 0 && (value as number) < LATEST_INSTANT_MS;

/** The row columns: all of one length, lines counted from 1, positions inside their lists, instants in range. */
function rowColumnsProblem(rows: unknown, batch: Record<string, unknown>): string | null {
  return columnsProblem(rows, 'rows', [
    ['line', (value) => Number.isInteger(value) && (value as number) >= 1],
    ['agent', positionIn(batch, 'platformAgentIds')],
    ['activity', positionIn(batch, 'activities')],
    ['startAt', instant],
    ['endAt', instant],
    ['day', positionIn(batch, 'days')],
  ]);
}

/** Digests are sums of 52-bit row hashes modulo 2^52: whole numbers JSON carries exactly. */
const DIGEST_LIMIT = 2 ** 52;

/** The agent-day entries: all of one length, positions inside their lists, digests and counts in range. */
function agentDayColumnsProblem(entries: unknown, batch: Record<string, unknown>): string | null {
  return columnsProblem(entries, 'agentDays', [
    ['agent', positionIn(batch, 'platformAgentIds')],
    ['day', positionIn(batch, 'days')],
    ['digest', (value) => Number.isInteger(value) && (value as number) >= 0 && (value as number) < DIGEST_LIMIT],
    ['rows', (value) => Number.isInteger(value) && (value as number) >= 1],
    ['skipped', (value) => value === 0 || value === 1],
  ]);
}

/** What mapping or agent-resolution filled in: one entry per item of the list it resolves, a UUID or null. */
function resolvedIdsProblem(ids: unknown, resolves: string, batch: Record<string, unknown>, what: string): string | null {
  if (!Array.isArray(ids)) return `${what} must be an array`;
  const size = Array.isArray(batch[resolves]) ? (batch[resolves] as unknown[]).length : 0;
  if (ids.length !== size) return `${what} must have one entry per item of ${resolves}`;
  return listProblem(ids, (value) => value === null || (typeof value === 'string' && UUID.test(value)), what);
}

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

/** A plain-code check as a class-validator constraint: the message names the first problem. */
abstract class PlainShape implements ValidatorConstraintInterface {
  private problem: string | null = null;
  protected abstract check(value: unknown, args: ValidationArguments): string | null;
  validate(value: unknown, args: ValidationArguments): boolean {
    this.problem = this.check(value, args);
    return this.problem === null;
  }
  defaultMessage(): string {
    return this.problem ?? 'invalid';
  }
}

@ValidatorConstraint({ name: 'textList' })
export class TextListShape extends PlainShape {
  protected check(value: unknown, args: ValidationArguments) {
    return listProblem(value, args.property === 'platformAgentIds' ? nonEmptyText : text, args.property);
  }
}

@ValidatorConstraint({ name: 'dayList' })
export class DayListShape extends PlainShape {
  protected check(value: unknown, args: ValidationArguments) {
    return listProblem(value, day, args.property);
  }
}

@ValidatorConstraint({ name: 'rowColumns' })
export class RowColumnsShape extends PlainShape {
  protected check(value: unknown, args: ValidationArguments) {
    return rowColumnsProblem(value, args.object as Record<string, unknown>);
  }
}

@ValidatorConstraint({ name: 'agentDayColumns' })
export class AgentDayColumnsShape extends PlainShape {
  protected check(value: unknown, args: ValidationArguments) {
    return agentDayColumnsProblem(value, args.object as Record<string, unknown>);
  }
}

/** Constraint argument: the name of the list the ids resolve, one entry per item. */
@ValidatorConstraint({ name: 'resolvedIds' })
export class ResolvedIdsShape extends PlainShape {
  protected check(value: unknown, args: ValidationArguments) {
    return resolvedIdsProblem(value, args.constraints[0] as string, args.object as Record<string, unknown>, args.property);
  }
}

@ValidatorConstraint({ name: 'rowErrors' })
export class RowErrorsShape extends PlainShape {
  protected check(value: unknown, args: ValidationArguments) {
    return firstProblem(value, ROW_ERROR, args.property);
  }
}
