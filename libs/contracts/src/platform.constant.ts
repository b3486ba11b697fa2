/** The WFM platforms a BPO can schedule in, and the agent field that holds each one's agent IDs. */
export const Platforms = ['nice_iex', 'verint', 'injixo', 'alvaria', 'custom'] as const;
export type Platform = (typeof Platforms)[number];

export const PlatformAgentIdFields: Record<Platform, PlatformAgentIdField> = {
  nice_iex: 'nice_iex_sftp',
  verint: 'verint_sftp',
  injixo: 'injixo_sftp',
  alvaria: 'alvaria_sftp',
  custom: 'custom_platform_sftp',
};

export const PlatformAgentIdFieldNames = [
  'nice_iex_sftp',
  'verint_sftp',
  'injixo_sftp',
  'alvaria_sftp',
  'custom_platform_sftp',
] as const;
export type PlatformAgentIdField = (typeof PlatformAgentIdFieldNames)[number];

export const PlatformNames: Record<Platform, string> = {
  nice_iex: 'NICE IEX',
  verint: 'Verint',
  injixo: 'Injixo',
  alvaria: 'Alvaria',
  custom: 'Custom platform',
};

export function isPlatform(value: unknown): value is Platform {
  return typeof value === 'string' && (Platforms as readonly string[]).includes(value);
}
