import { utils, type ParsedKey } from 'ssh2';
import { hashSecret } from '@bpo/service-kit';
import { SftpAccounts, type SftpAccount } from './sftp-account.repository';
import { SftpAuthService } from './sftp-auth.service';
import { SftpIngestConfig } from './sftp-ingest.config';
import { SftpLockouts, type ActiveLocks, type LoginFailure, type LockoutPolicy, type NewLockout } from './sftp-lockouts.repository';

/** Counts failures and locks at the thresholds; lockouts last until `unlock()` (the SQL window and expiry are tested against PostgreSQL). */
class InMemorySftpLockouts extends SftpLockouts {
  readonly failures: LoginFailure[] = [];
  private readonly locked = new Set<string>();
  async active(username: string, address: string): Promise<ActiveLocks> {
    return { username: this.locked.has(`username:${username}`), address: this.locked.has(`address:${address}`) };
  }
  async recordFailure(failure: LoginFailure, policy: LockoutPolicy): Promise<NewLockout[]> {
    this.failures.push(failure);
    const created: NewLockout[] = [];
    for (const [kind, subject, threshold] of [
      ['username', failure.username, policy.usernameFailures],
      ['address', failure.address, policy.addressFailures],
    ] as const) {
      const count = this.failures.filter((candidate) => candidate[kind] === subject).length;
      if (count >= threshold && !this.locked.has(`${kind}:${subject}`)) {
        this.locked.add(`${kind}:${subject}`);
        created.push({ kind, subject, failures: count, lockedUntil: new Date() });
      }
    }
    return created;
  }
  unlock(): void {
    this.locked.clear();
    this.failures.length = 0;
  }
}

class InMemorySftpAccounts extends SftpAccounts {
  constructor(private readonly accounts: SftpAccount[]) {
    super();
  }
  async findByUsername(username: string): Promise<SftpAccount | null> {
    return this.accounts.find((account) => account.username === username) ?? null;
  }
}

function keyPair(): { publicLine: string; privateKey: ParsedKey; publicBlob: Buffer } {
  const generated = utils.generateKeyPairSync('ed25519');
  const privateKey = utils.parseKey(generated.private) as ParsedKey;
  return { publicLine: `${generated.public} laptop`, privateKey, publicBlob: privateKey.getPublicSSH() };
}

describe('SftpAuthService', () => {
  const registered = keyPair();
  const stranger = keyPair();
  let auth: SftpAuthService;
  const lockouts = new InMemorySftpLockouts();
  const config = Object.assign(new SftpIngestConfig(), { SFTP_LOCKOUT_USERNAME_FAILURES: 3, SFTP_LOCKOUT_ADDRESS_FAILURES: 5 });
  const ip = '192.0.2.1';

  beforeAll(async () => {
    auth = new SftpAuthService(
      new InMemorySftpAccounts([
        {
          integrationId: '00000000-0000-4000-8000-000000000001',
          organizationId: '00000000-0000-4000-8000-000000000002',
          siteId: '00000000-0000-4000-8000-000000000003',
          platform: 'verint',
          username: 'acme-verint',
          passwordHash: await hashSecret('s3cret-pass'),
          publicKeys: ['not a key', registered.publicLine],
        },
      ]),
      lockouts,
      config,
    );
    await auth.onModuleInit();
  });
  afterEach(() => lockouts.unlock());

  it('accepts the right password and refuses a wrong one or an unknown user', async () => {
    await expect(auth.login({ method: 'password', username: 'acme-verint', password: 's3cret-pass' }, ip)).resolves.toMatchObject({
      kind: 'accepted',
      account: { integrationId: '00000000-0000-4000-8000-000000000001' },
    });
    await expect(auth.login({ method: 'password', username: 'acme-verint', password: 's3cret-pas' }, ip)).resolves.toEqual({ kind: 'rejected' });
    await expect(auth.login({ method: 'password', username: 'nobody', password: 's3cret-pass' }, ip)).resolves.toEqual({ kind: 'rejected' });
  });

  it('accepts a registered key once its signature is verified', async () => {
    const blob = Buffer.from('session data to sign');
    const key = { algo: 'ssh-ed25519', data: registered.publicBlob };
    await expect(auth.login({ method: 'publickey', username: 'acme-verint', key }, ip)).resolves.toEqual({ kind: 'key-acceptable' });
    await expect(
      auth.login({ method: 'publickey', username: 'acme-verint', key, blob, signature: registered.privateKey.sign(blob) }, ip),
    ).resolves.toMatchObject({ kind: 'accepted' });
    await expect(
      auth.login({ method: 'publickey', username: 'acme-verint', key, blob, signature: stranger.privateKey.sign(blob) }, ip),
    ).resolves.toEqual({ kind: 'rejected' });
  });

  it('refuses a key that is not registered for the user', async () => {
    const key = { algo: 'ssh-ed25519', data: stranger.publicBlob };
    await expect(auth.login({ method: 'publickey', username: 'acme-verint', key }, ip)).resolves.toEqual({ kind: 'rejected' });
    await expect(auth.login({ method: 'publickey', username: 'nobody', key: { algo: 'ssh-ed25519', data: registered.publicBlob } }, ip)).resolves.toEqual({
      kind: 'rejected',
    });
  });

  it('records refused passwords of known and unknown users alike, but not keys merely offered', async () => {
    await auth.login({ method: 'password', username: 'acme-verint', password: 'wrong' }, ip);
    await auth.login({ method: 'password', username: 'nobody', password: 'wrong' }, ip);
    await auth.login({ method: 'publickey', username: 'acme-verint', key: { algo: 'ssh-ed25519', data: stranger.publicBlob } }, ip);
    expect(lockouts.failures).toEqual([
      { username: 'acme-verint', address: ip, integrationId: '00000000-0000-4000-8000-000000000001' },
      { username: 'nobody', address: ip, integrationId: null },
    ]);
  });

  it('refuses the right password once the username is locked, but still takes a registered key', async () => {
    for (let attempt = 0; attempt < 3; attempt += 1) {
      await expect(auth.login({ method: 'password', username: 'acme-verint', password: `guess-${attempt}` }, ip)).resolves.toEqual({ kind: 'rejected' });
    }
    await expect(auth.login({ method: 'password', username: 'acme-verint', password: 's3cret-pass' }, '198.51.100.7')).resolves.toEqual({ kind: 'rejected', locked: 'username' });
    const blob = Buffer.from('session data to sign');
    const key = { algo: 'ssh-ed25519', data: registered.publicBlob };
    await expect(auth.login({ method: 'publickey', username: 'acme-verint', key, blob, signature: registered.privateKey.sign(blob) }, ip)).resolves.toMatchObject({ kind: 'accepted' });
  });

  it('refuses every method from a locked address, for any username', async () => {
    for (let attempt = 0; attempt < 5; attempt += 1) await auth.login({ method: 'password', username: `user-${attempt}`, password: 'x' }, ip);
    await expect(auth.login({ method: 'password', username: 'acme-verint', password: 's3cret-pass' }, ip)).resolves.toEqual({ kind: 'rejected', locked: 'address' });
    const blob = Buffer.from('session data to sign');
    const key = { algo: 'ssh-ed25519', data: registered.publicBlob };
    await expect(auth.login({ method: 'publickey', username: 'acme-verint', key, blob, signature: registered.privateKey.sign(blob) }, ip)).resolves.toEqual({ kind: 'rejected', locked: 'address' });
    await expect(auth.login({ method: 'password', username: 'acme-verint', password: 's3cret-pass' }, '198.51.100.7')).resolves.toMatchObject({ kind: 'accepted' });
  });

  it('refuses other methods', async () => {
    await expect(auth.login({ method: 'other', username: 'acme-verint' }, ip)).resolves.toEqual({ kind: 'rejected' });
  });
});
