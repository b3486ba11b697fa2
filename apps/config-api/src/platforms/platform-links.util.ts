import type { Platform } from '@bpo/contracts';

/** The absolute URL of a platform's template, as given to BPOs. */
export function templateUrl(publicUrl: string, platform: Platform): string {
  return `${publicUrl.replace(/\/+$/, '')}/v1/platforms/${platform}/template.csv`;
}
