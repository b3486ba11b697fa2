/**
 * Pure rules of an integration's SFTP folder: which paths name what, and which file names are allowed.
 *
 * The folder is virtual: a single root `/` holding the integration's received files (in PostgreSQL)
 * and its uploads in progress. There are no sub-folders, links or parent folders, so every path a
 * client sends must come down to the root or to one plain file name in it.
 */

export const MAX_FILE_NAME_LENGTH = 255;

/**
 * Suffixes of temporary upload names. Pipelines often upload `x.csv.part` and then rename it to
 * `x.csv`; such an upload arrives on the rename. WinSCP uses `.filepart`, rclone `.partial`.
 */
export const TEMPORARY_SUFFIXES = ['.part', '.partial', '.filepart', '.tmp', '.temp', '.upload', '.uploading'] as const;

const SAFE_NAME = /^[A-Za-z0-9._-]+$/;

export type ResolvedPath =
  | { kind: 'root' }
  | { kind: 'file'; name: string }
  /** Anything that is not the root or a plain name in it: a parent folder, a sub-folder, a NUL. */
  | { kind: 'outside'; reason: string };

/**
 * Resolves a path sent by a client for a file operation, relative to the root (the only folder).
 * Strict: `..` anywhere is refused rather than clamped, so `../x` or `/a/../b` never names a file.
 */
export function resolvePath(raw: string): ResolvedPath {
  if (raw.includes('\0')) return { kind: 'outside', reason: 'paths may not contain NUL characters' };
  const segments = raw.split('/').filter((segment) => segment !== '' && segment !== '.');
  if (segments.includes('..')) return { kind: 'outside', reason: 'your folder has no parent: paths may not contain ".."' };
  if (segments.length === 0) return { kind: 'root' };
  if (segments.length > 1) return { kind: 'outside', reason: 'your folder has no sub-folders: use a plain file name' };
  return { kind: 'file', name: segments[0] };
}

/**
 * REALPATH: the canonical form of a path, as if the root were `/` of a chroot (`..` at the root stays
 * at the root, so `cd ..` works). Returns `/` or `/<name>`, or null for a path that goes through a
 * sub-folder, which does not exist. Existence of the name itself is not checked (as realpath in v3).
 */
export function canonicalPath(raw: string): string | null {
  if (raw.includes('\0')) return null;
  const stack: string[] = [];
  for (const segment of raw.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') stack.pop();
    else stack.push(segment);
  }
  if (stack.length > 1) return null;
  return `/${stack.join('')}`;
}

export type UploadName =
  /** A final name: the upload arrives when its write handle is closed. */
  | { kind: 'final' }
  /** A temporary name: the upload is kept until it is renamed to a final name, or the session ends. */
  | { kind: 'temporary' }
  | { kind: 'invalid'; reason: string };

/** Why a name cannot be a received file's name, or null when it can. */
export function finalNameProblem(name: string): string | null {
  const common = commonNameProblem(name);
  if (common) return common;
  if (!name.endsWith('.csv')) return 'file names must end in .csv';
  if (name === '.csv') return 'a file name needs something before .csv';
  return null;
}

/** What an upload to `name` is: a final .csv name, a temporary name to be renamed later, or refused. */
export function classifyUploadName(name: string): UploadName {
  const common = commonNameProblem(name);
  if (common) return { kind: 'invalid', reason: common };
  if (isTemporaryName(name)) return { kind: 'temporary' };
  const problem = finalNameProblem(name);
  if (problem) {
    return {
      kind: 'invalid',
      reason: `${problem} (or upload to a temporary name ending ${TEMPORARY_SUFFIXES.slice(0, 3).join(', ')} and rename it to .csv when complete)`,
    };
  }
  return { kind: 'final' };
}

export function isTemporaryName(name: string): boolean {
  return TEMPORARY_SUFFIXES.some((suffix) => name.length > suffix.length && name.endsWith(suffix));
}

function commonNameProblem(name: string): string | null {
  if (name.length === 0) return 'a file name is required';
  if (name.length > MAX_FILE_NAME_LENGTH) return `file names may be at most ${MAX_FILE_NAME_LENGTH} characters long`;
  if (name === '.' || name === '..') return 'not a file name';
  if (!SAFE_NAME.test(name)) return 'file names may only use letters, digits, ".", "_" and "-"';
  return null;
}

export interface ListingEntry {
  name: string;
  sizeBytes: number;
  modifiedAt: Date;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * The `ls -l` line of a file, as OpenSSH's server writes it (`-rw-r--r--  1 owner group size date name`):
 * recent files show the time, files older than about six months the year. `now` is passed in.
 */
export function longName(entry: ListingEntry, owner: string, now: Date): string {
  const at = entry.modifiedAt;
  const day = `${MONTHS[at.getUTCMonth()]} ${String(at.getUTCDate()).padStart(2, ' ')}`;
  const recent = Math.abs(now.getTime() - at.getTime()) < 182 * 24 * 3600 * 1000;
  const when = recent
    ? `${String(at.getUTCHours()).padStart(2, '0')}:${String(at.getUTCMinutes()).padStart(2, '0')}`
    : ` ${at.getUTCFullYear()}`;
  const user = owner.slice(0, 8).padEnd(8, ' ');
  return `-rw-r--r--    1 ${user} ${user} ${String(entry.sizeBytes).padStart(12, ' ')} ${day} ${when} ${entry.name}`;
}
