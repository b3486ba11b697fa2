import { plainToInstance, type ClassConstructor } from 'class-transformer';
import { validateSync } from 'class-validator';

export type DecodeResult<T> = { ok: true; message: T } | { ok: false; reason: string };

/** Turns a raw JSON payload into a validated message instance, or says plainly why it is not one. */
export function decodeMessage<T extends object>(type: ClassConstructor<T>, raw: Buffer | string | null): DecodeResult<T> {
  if (raw === null) return { ok: false, reason: 'empty message value' };
  let plain: unknown;
  try {
    plain = JSON.parse(raw.toString());
  } catch (error) {
    return { ok: false, reason: `value is not JSON: ${(error as Error).message}` };
  }
  return decodeParsed(type, plain);
}

/** As decodeMessage, for a value already parsed from JSON (a consumer that looked at it first parses it once). */
export function decodeParsed<T extends object>(type: ClassConstructor<T>, plain: unknown): DecodeResult<T> {
  if (typeof plain !== 'object' || plain === null || Array.isArray(plain)) return { ok: false, reason: 'value is not a JSON object' };
  // Large arrays checked by plain-code validators (row batches) skip class-transformer's deep copy.
  const passThrough: readonly string[] = (type as { passThrough?: readonly string[] }).passThrough ?? [];
  const { kept, raw: passed } = splitFields(plain as Record<string, unknown>, passThrough);
  const message = Object.assign(plainToInstance(type, kept), passed);
  const problems = validateSync(message, { forbidUnknownValues: false });
  if (problems.length > 0) {
    return { ok: false, reason: `invalid ${type.name}: ${flatten(problems).join('; ')}` };
  }
  return { ok: true, message };
}

function flatten(errors: ReturnType<typeof validateSync>, prefix = ''): string[] {
  return errors.flatMap((error) => {
    const at = `${prefix}${error.property}`;
    const own = Object.values(error.constraints ?? {}).map((text) => `${at}: ${text}`);
    return [...own, ...flatten(error.children ?? [], `${at}.`)];
  });
}

function splitFields(plain: Record<string, unknown>, names: readonly string[]) {
  if (names.length === 0) return { kept: plain, raw: {} };
  const kept: Record<string, unknown> = {};
  const raw: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(plain)) (names.includes(key) ? raw : kept)[key] = value;
  return { kept, raw };
}
