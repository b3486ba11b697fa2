/** Caps on connections of one sftp-ingest instance (see SftpIngestConfig). */
export interface ConnectionCaps {
  total: number;
  perAddress: number;
  perIntegration: number;
}

/**
 * Counts this instance's connections by source address and by logged-in integration. `admit` and
 * `login` take a slot or say why not; `release` gives them back when the connection closes.
 */
export class ConnectionLimits {
  private total = 0;
  private readonly byAddress = new Map<string, number>();
  private readonly byIntegration = new Map<string, number>();

  constructor(private readonly caps: ConnectionCaps) {}

  get connections(): number {
    return this.total;
  }

  fromAddress(address: string): number {
    return this.byAddress.get(address) ?? 0;
  }

  /** A new connection from `address`: null when admitted, else the reason it is refused. */
  admit(address: string): string | null {
    if (this.total >= this.caps.total) return `at most ${this.caps.total} connections on this server`;
    if (this.fromAddress(address) >= this.caps.perAddress) return `at most ${this.caps.perAddress} connections from one address`;
    this.total += 1;
    this.byAddress.set(address, this.fromAddress(address) + 1);
    return null;
  }

  /** An admitted connection logs in as `integrationId`: null when allowed, else the reason it is refused. */
  login(integrationId: string): string | null {
    const current = this.byIntegration.get(integrationId) ?? 0;
    if (current >= this.caps.perIntegration) return `at most ${this.caps.perIntegration} connections per integration`;
    this.byIntegration.set(integrationId, current + 1);
    return null;
  }

  /** The connection closed; `integrationId` if `login` allowed it. */
  release(address: string, integrationId?: string): void {
    this.total -= 1;
    decrement(this.byAddress, address);
    if (integrationId !== undefined) decrement(this.byIntegration, integrationId);
  }
}

function decrement(counts: Map<string, number>, key: string): void {
  const next = (counts.get(key) ?? 0) - 1;
  if (next > 0) counts.set(key, next);
  else counts.delete(key);
}
