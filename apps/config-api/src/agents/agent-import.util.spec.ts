import { parseAgentImport, planAgentImport, type ImportDirectory, type ImportLine } from './agent-import.util';
import { platformIdKey } from './platform-ids.util';

const A = '11111111-1111-4111-8111-111111111111';
const B = '22222222-2222-4222-8222-222222222222';
const C = '33333333-3333-4333-8333-333333333333';
const SITE = 'site-1';
const OTHER_SITE = 'site-2';

describe('parseAgentImport', () => {
  it('reads agent_id / email and the platform columns, numbering lines as an editor does', () => {
    const parsed = parseAgentImport(`\uFEFFagent_id,email,nice_iex_sftp\r\n${A.toUpperCase()},,IEX-1\r\n\r\n,ana@example.com, IEX-2 \r\n`);
    expect(parsed).toEqual({
      ok: true,
      lines: [
        { line: 2, agentId: A, email: null, platformIds: { nice_iex_sftp: 'IEX-1' } },
        { line: 4, agentId: null, email: 'ana@example.com', platformIds: { nice_iex_sftp: 'IEX-2' } },
      ],
    });
  });

  it('accepts ; and tab separated files and quoted values', () => {
    expect(parseAgentImport('email;verint_sftp\n"a@x.com";"V;1"')).toEqual({ ok: true, lines: [{ line: 2, agentId: null, email: 'a@x.com', platformIds: { verint_sftp: 'V;1' } }] });
    expect(parseAgentImport('Email\tVerint_SFTP\nb@x.com\tV2')).toMatchObject({ ok: true, lines: [{ email: 'b@x.com', platformIds: { verint_sftp: 'V2' } }] });
  });

  it.each([
    ['', /empty/],
    ['name,nice_iex_sftp\nx,1', /unknown column\(s\) "name"/],
    ['nice_iex_sftp\n1', /agent_id or an email column/],
    ['agent_id,email\nx,y', /no platform column/],
    ['agent_id,agent_id,verint_sftp\n', /"agent_id" twice/],
  ])('refuses the header of %j', (text, reason) => {
    const parsed = parseAgentImport(text);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.reason).toMatch(reason);
  });

  it('keeps line problems on their line', () => {
    const parsed = parseAgentImport(`agent_id,verint_sftp\nnot-a-uuid,V1\n${A},V2,extra\n,V3\n${B},`);
    expect(parsed.ok && parsed.lines.map((line) => [line.line, line.problem])).toEqual([
      [2, 'agent_id "not-a-uuid" is not an agent id (a UUID)'],
      [3, 'has 3 value(s) but the header has 2 column(s)'],
      [4, 'has neither agent_id nor email'],
      [5, undefined],
    ]);
  });
});

describe('planAgentImport', () => {
  const directory: ImportDirectory = {
    agents: [
      { id: A, siteId: SITE, email: 'ana@example.com', platformIds: { verint_sftp: 'V-A' } },
      { id: B, siteId: SITE, email: 'shared@example.com', platformIds: {} },
      { id: C, siteId: OTHER_SITE, email: 'shared@example.com', platformIds: {} },
    ],
    sitePlatforms: new Map([[SITE, 'verint' as const]]),
    owners: new Map([[platformIdKey(SITE, 'verint_sftp', 'V-A'), A]]),
  };
  const line = (n: number, values: Partial<ImportLine>): ImportLine => ({ line: n, agentId: null, email: null, platformIds: {}, ...values });

  it('updates good lines and says why each bad line was refused', () => {
    const { results, writes } = planAgentImport(
      [
        line(2, { agentId: B, platformIds: { verint_sftp: 'V-B' } }),
        line(3, { email: 'ANA@example.com', platformIds: { verint_sftp: 'V-A' } }),
        line(4, { email: 'shared@example.com', platformIds: { verint_sftp: 'V-X' } }),
        line(5, { agentId: C, platformIds: { verint_sftp: 'V-C' } }),
        line(6, { agentId: B, platformIds: { nice_iex_sftp: 'I-B' } }),
        line(7, { agentId: A, platformIds: { verint_sftp: 'V-B' } }),
        line(8, { email: 'nobody@example.com', platformIds: { verint_sftp: 'V-N' } }),
        line(9, { problem: 'has neither agent_id nor email' }),
        line(10, { agentId: A, email: 'other@example.com', platformIds: { verint_sftp: 'V-Z' } }),
      ],
      directory,
    );
    expect(results).toEqual([
      { line: 2, status: 'updated', agentId: B, changes: { verint_sftp: 'V-B' } },
      { line: 3, status: 'unchanged', agentId: A },
      { line: 4, status: 'refused', agentId: null, reason: '2 agents have the email shared@example.com; use agent_id instead' },
      { line: 5, status: 'refused', agentId: C, reason: `site ${OTHER_SITE} has no integration, so its agents cannot have verint_sftp; connect the site first` },
      { line: 6, status: 'refused', agentId: B, reason: `site ${SITE} is integrated with verint, so its agents take verint_sftp, not nice_iex_sftp` },
      { line: 7, status: 'refused', agentId: A, reason: expect.stringContaining(`verint_sftp "V-B" already belongs to agent ${B}`) },
      { line: 8, status: 'refused', agentId: null, reason: 'no agent with the email nobody@example.com in this organization' },
      { line: 9, status: 'refused', agentId: null, reason: 'has neither agent_id nor email' },
      { line: 10, status: 'refused', agentId: null, reason: `agent ${A} does not have the email other@example.com` },
    ]);
    expect(writes).toEqual([{ agentId: B, siteId: SITE, field: 'verint_sftp', value: 'V-B' }]);
  });

  it('lets a later line take an id an earlier line gave up', () => {
    const { results, writes } = planAgentImport(
      [line(2, { agentId: A, platformIds: { verint_sftp: 'V-A2' } }), line(3, { agentId: B, platformIds: { verint_sftp: 'V-A' } })],
      directory,
    );
    expect(results.map((result) => result.status)).toEqual(['updated', 'updated']);
    expect(writes.map((write) => [write.agentId, write.value])).toEqual([
      [A, 'V-A2'],
      [B, 'V-A'],
    ]);
  });
});
