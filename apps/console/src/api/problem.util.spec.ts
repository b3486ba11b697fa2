import { describe, expect, it } from 'vitest';
import { ApiError, describeProblem, errorText, problemOf } from './problem.util';

describe('describeProblem', () => {
  it('says the API detail as a sentence', () => {
    expect(describeProblem(409, { title: 'Conflict', detail: 'the file is still processing; replay it once its run has finished' })).toBe(
      'The file is still processing; replay it once its run has finished.',
    );
  });

  it('names each invalid field with its problems', () => {
    const problem = { title: 'Invalid request', detail: 'one field is invalid: timezone', errors: [{ field: 'timezone', problems: ['timezone must be an IANA time zone such as Europe/Paris'] }] };
    expect(describeProblem(400, problem)).toBe('Timezone: timezone must be an IANA time zone such as Europe/Paris.');
  });

  it('falls back to words by status, and asks to sign in again on 401', () => {
    expect(describeProblem(503, {})).toBe('The API is not available right now; try again shortly.');
    expect(describeProblem(418, {})).toBe('The API answered 418.');
    expect(describeProblem(401, { detail: 'the bearer token is unknown or was revoked' })).toBe('The bearer token is unknown or was revoked. Sign in again with a valid token.');
  });
});

describe('problemOf', () => {
  it('reads a problem+json answer, keeping field problems for the form', async () => {
    const response = new Response(JSON.stringify({ status: 400, title: 'Invalid request', errors: [{ field: 'keyword', problems: ['keyword must not be empty', 'too short'] }] }), {
      status: 400,
      headers: { 'content-type': 'application/problem+json' },
    });
    const error = await problemOf(response);
    expect(error).toBeInstanceOf(ApiError);
    expect(error.status).toBe(400);
    expect(error.fieldProblems('keyword')).toBe('keyword must not be empty; too short');
    expect(error.fieldProblems('priority')).toBeUndefined();
  });

  it('copes with an answer that is not JSON', async () => {
    const error = await problemOf(new Response('<html>bad gateway</html>', { status: 502, headers: { 'content-type': 'text/html' } }));
    expect(error.message).toBe('The API could not be reached.');
  });
});

describe('errorText', () => {
  it('says a failed fetch in words', () => {
    expect(errorText(new TypeError('Failed to fetch'))).toMatch(/could not be reached/);
  });
});
