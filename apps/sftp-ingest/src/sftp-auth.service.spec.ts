import { utils, type ParsedKey } from 'ssh2';
import { hashSecret } from '@bpo/service-kit';
import { SftpAccounts, type SftpAccount } from './sftp-account.repository';
import { SftpAuthService } from './sftp-auth.service';

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
    );
  });

  it('accepts the right password and refuses a wrong one or an unknown user', async () => {
    await expect(auth.login({ method: 'password', username: 'acme-verint', password: 's3cret-pass' })).resolves.toMatchObject({
      kind: 'accepted',
      account: { integrationId: '00000000-0000-4000-8000-000000000001' },
    });
    await expect(auth.login({ method: 'password', username: 'acme-verint', password: 's3cret-pas' })).resolves.toEqual({ kind: 'rejected' });
    await expect(auth.login({ method: 'password', username: 'nobody', password: 's3cret-pass' })).resolves.toEqual({ kind: 'rejected' });
  });

  it('accepts a registered key once its signature is verified', async () => {
    const blob = Buffer.from('session data to sign');
    const key = { algo: 'ssh-ed25519', data: registered.publicBlob };
    await expect(auth.login({ method: 'publickey', username: 'acme-verint', key })).resolves.toEqual({ kind: 'key-acceptable' });
    await expect(
      auth.login({ method: 'publickey', username: 'acme-verint', key, blob, signature: registered.privateKey.sign(blob) }),
    ).resolves.toMatchObject({ kind: 'accepted' });
    await expect(
      auth.login({ method: 'publickey', username: 'acme-verint', key, blob, signature: stranger.privateKey.sign(blob) }),
    ).resolves.toEqual({ kind: 'rejected' });
  });

  it('refuses a key that is not registered for the user', async () => {
    const key = { algo: 'ssh-ed25519', data: stranger.publicBlob };
    await expect(auth.login({ method: 'publickey', username: 'acme-verint', key })).resolves.toEqual({ kind: 'rejected' });
    await expect(auth.login({ method: 'publickey', username: 'nobody', key: { algo: 'ssh-ed25519', data: registered.publicBlob } })).resolves.toEqual({
      kind: 'rejected',
    });
  });

  it('refuses other methods', async () => {
    await expect(auth.login({ method: 'other', username: 'acme-verint' })).resolves.toEqual({ kind: 'rejected' });
  });
});
