import { STATUS_CODES } from 'node:http';
import { Catch, HttpException, HttpStatus, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { QueryFailedError } from 'typeorm';
import { ConfigApiErrorCode, ConfigApiException, RequestValidationException } from './config-api.exception';
import { PROBLEM_CONTENT_TYPE, problemFor, problemType, type ProblemDocument } from './problem-details.util';

/** The parts of Express's request and response the filter uses (Express's types are not installed). */
interface HttpRequest {
  method: string;
  route?: { path?: string };
}
interface HttpResponse {
  headersSent: boolean;
  status(code: number): HttpResponse;
  type(contentType: string): HttpResponse;
  setHeader(name: string, value: string): void;
  json(body: unknown): void;
  send(body: string): void;
}

/**
 * Every error leaves the API as `application/problem+json` (RFC 7807). Our exceptions carry a code
 * (mapped once, in problemFor); Nest's own (unknown route, malformed JSON, body too large) keep
 * their status; anything else is a 500 whose cause goes to the log, never to the client.
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger(ProblemDetailsFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void {
    const context = host.switchToHttp();
    const response = context.getResponse<HttpResponse>();
    if (response.headersSent) return; // a streamed download failed midway: nothing more can be said
    const custom = ownErrorBody(exception);
    if (custom) {
      response.status(custom.status).json(custom.body);
      return;
    }
    const problem = this.toProblem(exception, context.getRequest<HttpRequest>());
    if (problem.code === ConfigApiErrorCode.Unauthenticated) response.setHeader('WWW-Authenticate', 'Bearer');
    response.status(problem.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(problem));
  }

  private toProblem(exception: unknown, request: HttpRequest): ProblemDocument {
    if (exception instanceof ConfigApiException) {
      const { status, title } = problemFor(exception.code);
      return { type: problemType(exception.code), title, status, detail: exception.detail, code: exception.code };
    }
    if (exception instanceof RequestValidationException) {
      const fields = exception.errors.map((error) => error.field);
      return {
        type: problemType('validation'),
        title: 'Invalid request',
        status: HttpStatus.BAD_REQUEST,
        detail: `${fields.length === 1 ? 'one field is' : `${fields.length} fields are`} invalid: ${fields.join(', ')}`,
        code: 'validation',
        errors: exception.errors,
      };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      return { type: 'about:blank', title: STATUS_CODES[status] ?? 'Error', status, detail: messageOf(exception) };
    }
    if (isNulInText(exception)) {
      return { type: problemType('validation'), title: 'Invalid request', status: HttpStatus.BAD_REQUEST, detail: 'text must not contain the NUL character (\\u0000)', code: 'validation' };
    }
    const client = clientError(exception);
    if (client) return { type: 'about:blank', title: STATUS_CODES[client.status] ?? 'Error', status: client.status, detail: client.message };
    this.logger.error({ message: 'unhandled error', method: request.method, path: request.route?.path ?? 'unknown' }, exception instanceof Error ? exception.stack : String(exception));
    return { type: 'about:blank', title: STATUS_CODES[500]!, status: HttpStatus.INTERNAL_SERVER_ERROR, detail: 'The server failed to answer; the error was logged.' };
  }
}

/** Nest's standard body is {statusCode, message, error}; a handler that shaped its own body (e.g. /health) keeps it. */
function ownErrorBody(exception: unknown): { status: number; body: object } | null {
  if (!(exception instanceof HttpException)) return null;
  const body = exception.getResponse();
  if (typeof body !== 'object' || body === null || 'statusCode' in body) return null;
  return { status: exception.getStatus(), body };
}

/** PostgreSQL refuses NUL in text (22021 character_not_in_repertoire): the client sent it, so a 400, not a 500. */
function isNulInText(exception: unknown): boolean {
  if (!(exception instanceof QueryFailedError)) return false;
  const driverError = exception.driverError as { code?: string; message?: string };
  return driverError.code === '22021' && /0x00/.test(driverError.message ?? '');
}

/** Errors of Express's body parser (http-errors): a 4xx the client caused, e.g. 413 for a body over the limit. */
function clientError(exception: unknown): { status: number; message: string } | null {
  if (typeof exception !== 'object' || exception === null) return null;
  const { status, expose, message } = exception as { status?: unknown; expose?: unknown; message?: unknown };
  if (typeof status !== 'number' || status < 400 || status >= 500 || expose !== true) return null;
  return { status, message: typeof message === 'string' ? message : (STATUS_CODES[status] ?? 'Error') };
}

function messageOf(exception: HttpException): string {
  const body = exception.getResponse();
  if (typeof body === 'string') return body;
  const message = (body as { message?: unknown }).message;
  return Array.isArray(message) ? message.join('; ') : typeof message === 'string' ? message : exception.message;
}
