import { createHash, randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { utils, type ParsedKey } from 'ssh2';

export interface HostKey {
  /** The private key in OpenSSH format, as ssh2's server takes it. */
  privateKey: Buffer;
  /** `SHA256:...`, as `ssh-keygen -lf` and OpenSSH's first-connection prompt show it. */
  fingerprint: string;
  created: boolean;
}

/**
 * The server's persistent host key: read from `path`, or generated (ed25519) on first start and
 * written there with mode 0600. Clients pin the key in known_hosts, so it must survive restarts.
 * Two instances starting at once on a fresh folder agree on one key: the file is published with a
 * hard link, which fails if it already exists, and the loser reads the winner's key.
 */
export function loadOrCreateHostKey(path: string): HostKey {
  const existing = readKey(path);
  if (existing) return { ...existing, created: false };
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const temporary = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  writeFileSync(temporary, generateReadableKey(), { mode: 0o600, flag: 'wx' });
  try {
    linkSync(temporary, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    unlinkSync(temporary);
  }
  const stored = readKey(path);
  if (!stored) throw new Error(`the SFTP host key at ${path} could not be read back`);
  return { ...stored, created: true };
}

/**
 * A fresh ed25519 private key that ssh2 reads back. ssh2 1.17 now and then writes an ed25519 key
 * its own parser calls malformed (seen in CI: "Malformed OpenSSH private key"), so each key is
 * checked before it is kept, and a bad one is replaced.
 */
function generateReadableKey(): string {
  for (let attempt = 1; ; attempt += 1) {
    const generated = utils.generateKeyPairSync('ed25519', { comment: 'bpo-schedule-sync sftp-ingest host key' });
    const parsed = utils.parseKey(generated.private) as ParsedKey | ParsedKey[] | Error;
    const key = Array.isArray(parsed) ? parsed[0] : parsed;
    if (!(key instanceof Error) && key?.isPrivateKey()) return generated.private;
    if (attempt >= 20) throw new Error(`could not generate a readable SFTP host key: ${key instanceof Error ? key.message : 'not a private key'}`);
  }
}

function readKey(path: string): Omit<HostKey, 'created'> | undefined {
  let privateKey: Buffer;
  try {
    privateKey = readFileSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const parsed = utils.parseKey(privateKey) as ParsedKey | ParsedKey[] | Error;
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  if (key instanceof Error || !key?.isPrivateKey()) {
    throw new Error(`SFTP_HOST_KEY_PATH ${path} does not hold an unencrypted private key${key instanceof Error ? `: ${key.message}` : ''}`);
  }
  return { privateKey, fingerprint: keyFingerprint(key.getPublicSSH()) };
}

/** OpenSSH's SHA256 fingerprint of a public key blob. */
export function keyFingerprint(publicBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(publicBlob).digest('base64').replace(/=+$/, '')}`;
}
