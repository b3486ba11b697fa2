import { createReadStream, existsSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';
import type { INestApplication } from '@nestjs/common';

/** Where the web console is served: the same origin as the API, so it needs no CORS. */
export const CONSOLE_PATH = '/console';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * The console's pages may run only their own scripts and talk only to this origin; no framing.
 * Mantine sets inline styles, hence 'unsafe-inline' for styles (never for scripts).
 */
const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; font-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
};

type Next = (error?: unknown) => void;

/**
 * The file a console URL answers with: a file of the build when the path names one (never outside
 * it), else index.html, so that the console's own routes (/console/sites/...) load the app.
 * `null` when the path is not the console's.
 */
export function consoleFileFor(dir: string, url: string): { file: string; immutable: boolean } | null {
  const path = decodeURIComponentSafe(url.split('?')[0]);
  if (path === null || (path !== CONSOLE_PATH && !path.startsWith(`${CONSOLE_PATH}/`))) return null;
  const root = resolve(dir);
  const relative = normalize(path.slice(CONSOLE_PATH.length)).replace(/^([/\\])+/, '');
  const candidate = resolve(root, relative);
  if (relative && (candidate === root || candidate.startsWith(root + sep)) && existsSync(candidate) && statSync(candidate).isFile()) {
    // Vite names built assets by content hash: they never change.
    return { file: candidate, immutable: relative.startsWith(`assets${sep}`) };
  }
  // A missing asset is a 404, not the page (a stale tab asking for an old bundle).
  if (relative.startsWith(`assets${sep}`) || relative.startsWith('assets/')) return null;
  return { file: join(root, 'index.html'), immutable: false };
}

function decodeURIComponentSafe(text: string): string | null {
  try {
    const decoded = decodeURIComponent(text);
    return decoded.includes('\0') ? null : decoded;
  } catch {
    return null;
  }
}

/**
 * Serves the built console (`nx build console`, dist/apps/console) at /console, and sends `/` there.
 * Without a build the API runs as before and /console is the API's usual 404.
 */
export function serveConsole(app: INestApplication, dir: string): boolean {
  if (!existsSync(join(dir, 'index.html'))) return false;
  app.use((request: IncomingMessage, response: ServerResponse, next: Next) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return next();
    const url = request.url ?? '/';
    if (url === '/' || url === CONSOLE_PATH) {
      response.writeHead(302, { Location: `${CONSOLE_PATH}/` }).end();
      return;
    }
    const found = consoleFileFor(dir, url);
    if (!found) return next();
    const headers: Record<string, string> = {
      ...SECURITY_HEADERS,
      'Content-Type': CONTENT_TYPES[extname(found.file)] ?? 'application/octet-stream',
      'Cache-Control': found.immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
    };
    response.writeHead(200, headers);
    if (request.method === 'HEAD') {
      response.end();
      return;
    }
    createReadStream(found.file).on('error', next).pipe(response);
  });
  return true;
}
