import { createHash, createPublicKey } from 'node:crypto';
import { utils } from 'ssh2';

export interface ParsedPublicKey {
  algorithm: string;
  /** `<algorithm> <base64>`: the key as an authorized_keys line, without the comment. */
  publicKey: string;
  /** As `ssh-keygen -lf` prints it: `SHA256:` and the unpadded base64 of the key blob's SHA-256. */
  fingerprint: string;
  comment: string | null;
}

export type PublicKeyResult = { ok: true; key: ParsedPublicKey } | { ok: false; reason: string };

/** Algorithms OpenSSH still accepts; DSA (ssh-dss) was removed from OpenSSH. */
const REFUSED_ALGORITHMS: Record<string, string> = {
  'ssh-dss': 'DSA keys (ssh-dss) are no longer accepted by OpenSSH; use an ed25519 or RSA key',
};

/**
 * Reads one public key in OpenSSH authorized_keys form (`ssh-ed25519 AAAA... comment`). Private
 * keys are refused without echoing them; anything else is refused with the parser's reason.
 */
export function parsePublicKey(text: string, { minRsaBits = 2048 }: { minRsaBits?: number } = {}): PublicKeyResult {
  const line = text.trim();
  if (line.includes('PRIVATE KEY')) return { ok: false, reason: 'this is a private key: send the public key (the .pub file), and keep the private key secret' };
  if (/[\r\n]/.test(line)) return { ok: false, reason: 'send exactly one key, on one line, as in an authorized_keys file' };
  const parsed = utils.parseKey(line);
  if (parsed instanceof Error) return { ok: false, reason: `not an OpenSSH public key (${parsed.message}); expected a line such as "ssh-ed25519 AAAAC3Nza... you@host"` };
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  if (!key) return { ok: false, reason: 'no key found' };
  if (key.isPrivateKey()) return { ok: false, reason: 'this is a private key: send the public key (the .pub file), and keep the private key secret' };
  const refused = REFUSED_ALGORITHMS[key.type];
  if (refused) return { ok: false, reason: refused };
  if (key.type === 'ssh-rsa') {
    const bits = createPublicKey(key.getPublicPEM()).asymmetricKeyDetails?.modulusLength ?? 0;
    if (bits < minRsaBits) return { ok: false, reason: `this RSA key has ${bits} bits; at least ${minRsaBits} are needed (or use an ed25519 key)` };
  }
  const blob = key.getPublicSSH();
  return {
    ok: true,
    key: {
      algorithm: key.type,
      publicKey: `${key.type} ${blob.toString('base64')}`,
      fingerprint: `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`,
      comment: key.comment ? key.comment : null,
    },
  };
}
