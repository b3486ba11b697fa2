import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { utils } from 'ssh2';
import { parsePublicKey } from './ssh-key.util';

/** ssh2's generator sometimes writes a 31-byte ed25519 key (a leading zero dropped): draw again then. */
function ed25519Pair(): { public: string; private: string } {
  for (;;) {
    const pair = utils.generateKeyPairSync('ed25519', { comment: 'ops@bpo' });
    if (!(utils.parseKey(pair.public) instanceof Error)) return pair;
  }
}

describe('parsePublicKey', () => {
  const pair = ed25519Pair();

  it('reads an authorized_keys line: algorithm, key without comment, comment', () => {
    const result = parsePublicKey(`  ${pair.public}\n`);
    if (!result.ok) throw new Error(result.reason);
    expect(result.key.algorithm).toBe('ssh-ed25519');
    expect(result.key.publicKey).toBe(pair.public.split(' ').slice(0, 2).join(' '));
    expect(result.key.comment).toBe('ops@bpo');
    expect(result.key.fingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
  });

  it('gives the fingerprint ssh-keygen gives', () => {
    let expected: string;
    try {
      const dir = mkdtempSync(join(tmpdir(), 'key-'));
      writeFileSync(join(dir, 'id.pub'), pair.public);
      expected = execFileSync('ssh-keygen', ['-lf', join(dir, 'id.pub')], { encoding: 'utf8' }).split(' ')[1];
    } catch {
      return; // no ssh-keygen on this machine
    }
    const result = parsePublicKey(pair.public);
    expect(result.ok && result.key.fingerprint).toBe(expected);
  });

  it('reads RSA keys', () => {
    const rsa = utils.generateKeyPairSync('rsa', { bits: 2048 });
    const result = parsePublicKey(rsa.public);
    expect(result.ok && result.key.algorithm).toBe('ssh-rsa');
  });

  it.each([
    ['a private key', () => pair.private, /private key/],
    ['garbage', () => 'hello world', /not an OpenSSH public key/],
    ['an empty string', () => '', /not an OpenSSH public key/],
    ['two keys', () => `${pair.public}\n${pair.public}`, /exactly one key/],
  ])('refuses %s, saying why', (_name, input, reason) => {
    const result = parsePublicKey(input());
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toMatch(reason);
  });
});

describe('parsePublicKey: RSA key size', () => {
  const rsa = (bits: number) => utils.generateKeyPairSync('rsa', { bits, comment: `rsa-${bits}` }).public;

  it('refuses an RSA key shorter than the minimum, saying how long it is', () => {
    expect(parsePublicKey(rsa(1024))).toEqual({ ok: false, reason: 'this RSA key has 1024 bits; at least 2048 are needed (or use an ed25519 key)' });
    expect(parsePublicKey(rsa(2048), { minRsaBits: 3072 })).toMatchObject({ ok: false, reason: expect.stringMatching(/has 2048 bits; at least 3072/) });
  });

  it('accepts an RSA key of the minimum size or longer', () => {
    expect(parsePublicKey(rsa(2048))).toMatchObject({ ok: true, key: { algorithm: 'ssh-rsa' } });
    expect(parsePublicKey(rsa(3072), { minRsaBits: 3072 })).toMatchObject({ ok: true });
  });
});
