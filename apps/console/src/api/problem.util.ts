/** An `application/problem+json` answer of the config API (RFC 7807), as it is sent. */
export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  code?: string;
  errors?: { field: string; problems: string[] }[];
}

/** A failed call: `message` is what the console shows, in plain words. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** The problems of one field of the request, for showing beside that field. */
  fieldProblems(field: string): string | undefined {
    const found = this.problem.errors?.find((error) => error.field === field);
    return found ? found.problems.join('; ') : undefined;
  }
}

const byStatus: Record<number, string> = {
  401: 'Your token is unknown or was revoked. Sign in again with a valid token.',
  403: 'Your token is not allowed to do this.',
  404: 'This no longer exists, or belongs to another organization.',
  409: 'This conflicts with the current state.',
  413: 'What you sent is too large.',
  429: 'Too many requests; wait a moment and try again.',
  500: 'The server failed to answer; the error was logged.',
  502: 'The API could not be reached.',
  503: 'The API is not available right now; try again shortly.',
};

function sentence(text: string): string {
  const trimmed = text.trim();
  if (!trimmed) return trimmed;
  const first = trimmed[0].toUpperCase() + trimmed.slice(1);
  return /[.!?]$/.test(first) ? first : `${first}.`;
}

/**
 * Turns a problem document into words a manager can act on: the API's detail (already written for
 * people) as a sentence, each invalid field with its problems; a generic line by status otherwise.
 */
export function describeProblem(status: number, problem: Problem): string {
  const parts: string[] = [];
  if (problem.errors?.length) {
    for (const error of problem.errors) parts.push(sentence(`${error.field}: ${error.problems.join('; ')}`));
  } else if (problem.detail) {
    parts.push(sentence(problem.detail));
  } else if (problem.title) {
    parts.push(sentence(problem.title));
  }
  if (!parts.length) parts.push(byStatus[status] ?? `The API answered ${status}.`);
  if (status === 401 && !parts[0].includes('Sign in')) parts.push('Sign in again with a valid token.');
  return parts.join(' ');
}

/** Reads a failed response: a problem document when it is one, else a generic one by status. */
export async function problemOf(response: Response): Promise<ApiError> {
  let problem: Problem = {};
  const type = response.headers.get('content-type') ?? '';
  if (type.includes('json')) {
    try {
      problem = (await response.json()) as Problem;
    } catch {
      problem = {};
    }
  }
  return new ApiError(response.status, problem, describeProblem(response.status, problem));
}

/** Any thrown value as words: API errors as described, a failed fetch as "cannot reach". */
export function errorText(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof TypeError) return 'The API could not be reached. Check your connection and that the platform is running.';
  return error instanceof Error ? error.message : String(error);
}
