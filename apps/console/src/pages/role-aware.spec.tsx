import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Integration, Me, Role } from '../api/api.types';
import { jsonResponse, renderSignedIn } from '../test-providers';
import { IntegrationsPage } from './integrations.page';
import { MappingPanel } from './mapping.panel';

const PERMISSIONS: Record<Role, Me['permissions']> = {
  basic: ['read'],
  lead: ['read', 'edit_agents'],
  manager: ['read', 'edit_agents', 'manage_integrations', 'replay_files'],
  admin: ['read', 'edit_agents', 'manage_integrations', 'replay_files', 'manage_tokens'],
};
/** As the API answers it: the least role of each permission is the API's, not the console's. */
const LEAST_ROLES: NonNullable<Me['leastRoles']> = { read: 'basic', edit_agents: 'lead', manage_integrations: 'manager', replay_files: 'manager', manage_tokens: 'admin' };
/** `leastRoles` null: an API older than that field. */
const me = (role: Role, leastRoles: Me['leastRoles'] | null = LEAST_ROLES): Me => ({
  organization: { id: 'o1', name: 'Acme', timezone: 'Europe/Paris' },
  token: { id: 't1', name: `${role} token` },
  role,
  permissions: PERMISSIONS[role],
  ...(leastRoles ? { leastRoles } : {}),
});

const integration = { id: 'i1', siteId: 's1', siteName: 'Manila BPO', platform: 'verint' } as Integration;

/** A fake config API answering GET /v1/me with `role`; records every call. */
function fakeApi(role: Role, leastRoles: Me['leastRoles'] | null = LEAST_ROLES) {
  const calls: string[] = [];
  const routes: Record<string, () => Response> = {
    'GET /v1/me': () => jsonResponse(200, me(role, leastRoles)),
    'GET /v1/sites': () => jsonResponse(200, { items: [{ id: 's1', name: 'Manila BPO', timezone: 'Asia/Manila', isBpo: true, integrationId: 'i1', createdAt: '2026-11-01T00:00:00Z' }] }),
    'GET /v1/integrations': () => jsonResponse(200, { items: [{ ...integration, sftpUsername: 'bpo-manila', lastStatus: null, stale: false, lastSyncAt: null }] }),
    'GET /v1/integrations/i1/mapping-rules': () =>
      jsonResponse(200, { items: [{ id: 'r1', integrationId: 'i1', matchType: 'exact', keyword: 'phones', priority: 'high', eventTypeId: 'e1', position: 1, createdAt: '2026-11-01T00:00:00Z' }], defaultEventTypeId: null }),
    'GET /v1/event-types': () => jsonResponse(200, { items: [{ id: 'e1', name: 'Phones', color: null }] }),
    'POST /v1/integrations/i1/mapping-rules/preview': () => jsonResponse(200, { items: [] }),
  };
  vi.stubGlobal('fetch', async (input: string, init: RequestInit = {}) => {
    const key = `${init.method ?? 'GET'} ${input.split('?')[0]}`;
    calls.push(key);
    return routes[key]?.() ?? jsonResponse(404, { status: 404, title: 'Not Found' }, 'application/problem+json');
  });
  return calls;
}

/** The reason a button is off, as assistive technology reads it (its accessible description). */
const description = (element: HTMLElement) =>
  (element.getAttribute('aria-describedby') ?? '')
    .split(' ')
    .map((id) => document.getElementById(id)?.textContent ?? '')
    .join(' ')
    .trim();

describe('role-aware actions', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('a basic token sees manager actions off, each saying why, focusable, and doing nothing when pressed', async () => {
    const calls = fakeApi('basic');
    renderSignedIn(<MappingPanel integration={integration} />);
    await screen.findByRole('table', { name: 'Mapping rules' });
    const addRule = await screen.findByRole('button', { name: 'Add rule' });
    await waitFor(() => expect(description(addRule)).toBe('Needs a manager token (or higher); you are signed in with a basic token.'));
    expect(addRule.getAttribute('aria-disabled')).toBe('true');
    for (const name of ['New event type', 'Edit rule phones', 'Delete rule phones']) {
      const button = screen.getByRole('button', { name });
      expect(button.getAttribute('aria-disabled')).toBe('true');
      expect(description(button)).toMatch(/^Needs a manager token/);
    }
    // Still reachable from the keyboard (aria-disabled, not disabled), with the reason in a tooltip on focus.
    addRule.focus();
    expect(document.activeElement).toBe(addRule);
    expect((await screen.findByRole('tooltip')).textContent).toBe('Needs a manager token (or higher); you are signed in with a basic token.');
    await userEvent.click(screen.getByRole('button', { name: 'Delete rule phones' }));
    await userEvent.click(addRule);
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(calls.filter((call) => call.startsWith('DELETE') || call.startsWith('PUT') || call === 'POST /v1/integrations/i1/mapping-rules')).toEqual([]);
    // The default mapping is off too, with the reason beside it; the live preview (open to basic) stays on.
    expect((screen.getByRole('combobox', { name: 'Default mapping' }) as HTMLInputElement).disabled).toBe(true);
    expect(screen.getAllByText('Needs a manager token (or higher); you are signed in with a basic token.').length).toBeGreaterThan(0);
  });

  it('says which token an action needs by what the API answers: a lead-only action names lead; an API without least roles gets a plain refusal', async () => {
    fakeApi('basic', { ...LEAST_ROLES, manage_integrations: 'lead' });
    const first = renderSignedIn(<MappingPanel integration={integration} />);
    const addRule = await screen.findByRole('button', { name: 'Add rule' });
    await waitFor(() => expect(description(addRule)).toBe('Needs a lead token (or higher); you are signed in with a basic token.'));
    first.unmount();
    fakeApi('basic', null);
    renderSignedIn(<MappingPanel integration={integration} />);
    const again = await screen.findByRole('button', { name: 'Add rule' });
    await waitFor(() => expect(description(again)).toBe('Your basic token may not do this.'));
  });

  it('a manager token gets the same actions on, with no explanation', async () => {
    fakeApi('manager');
    renderSignedIn(<MappingPanel integration={integration} />);
    await screen.findByRole('table', { name: 'Mapping rules' });
    await waitFor(() => expect(screen.getByRole('button', { name: 'Add rule' }).getAttribute('aria-disabled')).toBeNull());
    for (const name of ['New event type', 'Edit rule phones', 'Delete rule phones']) {
      const button = screen.getByRole('button', { name });
      expect(button.getAttribute('aria-disabled')).toBeNull();
      expect(button.getAttribute('aria-describedby')).toBeNull();
    }
    expect((screen.getByRole('combobox', { name: 'Default mapping' }) as HTMLInputElement).disabled).toBe(false);
    expect(screen.queryByText(/Needs a manager token/)).toBeNull();
    await userEvent.click(screen.getByRole('button', { name: 'Add rule' }));
    expect(within(await screen.findByRole('dialog')).getByRole('textbox', { name: /Keyword/ })).toBeTruthy();
  });

  it('Schedule Integrations: Create site and Add/Remove BPOs are off for a lead, on for an admin; the role is read afresh on each load', async () => {
    fakeApi('lead');
    const first = renderSignedIn(<IntegrationsPage />);
    await screen.findByRole('table');
    await waitFor(() => expect(screen.getByRole('button', { name: 'Create site' }).getAttribute('aria-disabled')).toBe('true'));
    expect(description(screen.getByRole('button', { name: 'Add/Remove BPOs' }))).toBe('Needs a manager token (or higher); you are signed in with a lead token.');
    first.unmount();

    // The role changed on the server: the next load (a fresh page, a fresh cache) asks again.
    fakeApi('admin');
    renderSignedIn(<IntegrationsPage />);
    await screen.findByRole('table');
    await waitFor(() => expect(screen.getByRole('button', { name: 'Create site' }).getAttribute('aria-disabled')).toBeNull());
    expect(screen.getByRole('button', { name: 'Add/Remove BPOs' }).getAttribute('aria-disabled')).toBeNull();
  });
});
