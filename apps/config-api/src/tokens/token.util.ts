import { generateSecret, hashToken } from '@bpo/service-kit';

/** A new API token: shown once to the caller, stored only as its hash. The prefix helps secret scanners. */
export function issueToken(): { token: string; tokenHash: string } {
  const token = `bpo_${generateSecret(40)}`;
  return { token, tokenHash: hashToken(token) };
}
