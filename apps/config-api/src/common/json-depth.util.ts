/** Deepest nesting a JSON body may have: Nest's ValidationPipe walks bodies recursively (stack overflow, 500, near 10,000). */
export const MAX_JSON_DEPTH = 64;

/** A 400 the body parser passes on (http-errors shape, so the problem filter answers it as the client's fault). */
class JsonTooDeepError extends Error {
  readonly status = 400;
  readonly statusCode = 400;
  readonly expose = true;
  readonly type = 'entity.too.deep';
}

/** Body-parser `verify`: refuses a JSON body nested deeper than MAX_JSON_DEPTH, in one pass over the bytes. */
export function refuseDeepJson(_request: unknown, _response: unknown, body: Buffer): void {
  let depth = 0;
  let inString = false;
  for (let index = 0; index < body.length; index += 1) {
    const byte = body[index];
    if (inString) {
      if (byte === 0x5c) index += 1; // backslash: skip the escaped byte
      else if (byte === 0x22) inString = false;
    } else if (byte === 0x22) {
      inString = true;
    } else if (byte === 0x5b || byte === 0x7b) {
      depth += 1;
      if (depth > MAX_JSON_DEPTH) throw new JsonTooDeepError(`the JSON body is nested more than ${MAX_JSON_DEPTH} levels deep`);
    } else if (byte === 0x5d || byte === 0x7d) {
      depth -= 1;
    }
  }
}
