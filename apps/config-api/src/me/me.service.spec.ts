import { notFound } from '../common/config-api.exception';
import { MeRepository, type TokenOwner } from './me.repository';
import { MeService } from './me.service';

const ACME = '11111111-1111-4111-8111-111111111111';
const GLOBEX = '22222222-2222-4222-8222-222222222222';

/** Tokens and their organizations in memory, scoped as the SQL scopes them. */
class InMemoryTokenOwners extends MeRepository {
  private readonly owners = new Map<string, TokenOwner>();
  constructor() {
    super(undefined as never);
  }
  add(tokenId: string, tokenName: string, organization: TokenOwner['organization']): void {
    this.owners.set(tokenId, { organization, token: { id: tokenId, name: tokenName } });
  }
  override async findTokenOwner(organizationId: string, tokenId: string): Promise<TokenOwner> {
    const owner = this.owners.get(tokenId);
    if (!owner || owner.organization.id !== organizationId) throw notFound('token', tokenId);
    return owner;
  }
}

describe('MeService', () => {
  let owners: InMemoryTokenOwners;
  let service: MeService;
  beforeEach(() => {
    owners = new InMemoryTokenOwners();
    owners.add('t-basic', 'reporting', { id: ACME, name: 'Acme', timezone: 'Europe/Paris' });
    owners.add('t-manager', 'ops', { id: ACME, name: 'Acme', timezone: 'Europe/Paris' });
    service = new MeService(owners);
  });

  it('answers a basic token its organization, its role and read alone', async () => {
    expect(await service.describe({ tokenId: 't-basic', organizationId: ACME, role: 'basic' })).toEqual({
      organization: { id: ACME, name: 'Acme', timezone: 'Europe/Paris' },
      token: { id: 't-basic', name: 'reporting' },
      role: 'basic',
      permissions: ['read'],
      leastRoles: { read: 'basic', edit_agents: 'lead', manage_integrations: 'manager', replay_files: 'manager', manage_tokens: 'admin' },
    });
  });

  it('answers a manager what a manager may do, but not tokens', async () => {
    const me = await service.describe({ tokenId: 't-manager', organizationId: ACME, role: 'manager' });
    expect(me.role).toBe('manager');
    expect(me.permissions).toEqual(['read', 'edit_agents', 'manage_integrations', 'replay_files']);
  });

  it('takes the role from the principal the guard read now, so a changed role shows on the next call', async () => {
    expect((await service.describe({ tokenId: 't-basic', organizationId: ACME, role: 'admin' })).permissions).toContain('manage_tokens');
  });

  it('never answers a token of another organization', async () => {
    await expect(service.describe({ tokenId: 't-basic', organizationId: GLOBEX, role: 'basic' })).rejects.toMatchObject({ code: 'not_found' });
  });
});
