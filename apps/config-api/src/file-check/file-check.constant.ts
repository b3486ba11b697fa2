import type { IncomingMessage } from 'node:http';

const FILE_CHECK_PATH = /^\/v1\/integrations\/[^/?#]+\/files\/check\/?(?:[?#]|$)/;

/** A request to the file check, whose body is the file's raw bytes whatever its content type. */
export function isFileCheckRequest(request: IncomingMessage): boolean {
  return request.method === 'POST' && FILE_CHECK_PATH.test(request.url ?? '');
}

/**
 * Largest file a synchronous check reads (about 60,000 rows): the answer comes within the request,
 * with the file, its rows and one day range of stored events in memory. Larger files: the CLI.
 */
export const FILE_CHECK_MAX_BYTES = 5 * 1024 * 1024;
