import { generateSecret, hashSecret, hashToken, verifySecret } from './secret.util';

describe('secrets', () => {
  it('verifies the right secret and refuses others', async () => {
    const hash = await hashSecret('correct horse');
    expect(hash).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(hash).not.toContain('correct horse');
    await expect(verifySecret('correct horse', hash)).resolves.toBe(true);
    await expect(verifySecret('correct hors', hash)).resolves.toBe(false);
    await expect(verifySecret('x', 'not-a-hash')).resolves.toBe(false);
  });

  it('salts: the same secret hashes differently each time', async () => {
    expect(await hashSecret('same')).not.toBe(await hashSecret('same'));
  });

  it('generates letters-and-digits secrets of the asked length', () => {
    const secret = generateSecret(40);
    expect(secret).toMatch(/^[A-Za-z0-9]{40}$/);
    expect(generateSecret()).not.toBe(generateSecret());
  });

  it('hashes tokens deterministically', () => {
    expect(hashToken('abc')).toBe(hashToken('abc'));
    expect(hashToken('abc')).toHaveLength(64);
  });
});
