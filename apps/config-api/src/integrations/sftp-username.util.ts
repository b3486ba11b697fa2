const MAX_SLUG_LENGTH = 24;

/**
 * The SFTP login of a site's integration: `bpo-<slug of the site name>-<suffix>`, only lowercase
 * letters, digits and `-` (accents folded: "São Paulo" gives `sao-paulo`). The random suffix keeps
 * two sites of the same name (in any organization) apart; the database enforces uniqueness.
 */
export function sftpUsername(siteName: string, suffix: string): string {
  const slug = siteName
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, MAX_SLUG_LENGTH)
    .replace(/^-+|-+$/g, '');
  return `bpo-${slug || 'site'}-${suffix}`;
}
