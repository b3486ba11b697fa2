import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { App } from './app';

const json = (status: number, body: unknown, type = 'application/json') => new Response(JSON.stringify(body), { status, headers: { 'content-type': type } });

/** A fake config API: the routes the sign-in and first page call, by method and path. */
function fakeApi(routes: Record<string, (init: RequestInit) => Response>) {
  const calls: string[] = [];
  vi.stubGlobal('fetch', async (input: string, init: RequestInit = {}) => {
    const key = `${init.method ?? 'GET'} ${input.split('?')[0]}`;
    calls.push(`${key} ${new Headers(init.headers).get('authorization')}`);
    const route = routes[key];
    return route ? route(init) : json(404, { title: 'Not Found', status: 404 }, 'application/problem+json');
  });
  return calls;
}

describe('console sign-in', () => {
  beforeEach(() => {
    sessionStorage.clear();
    window.history.pushState({}, '', '/console/');
  });
  afterEach(() => vi.unstubAllGlobals());

  it('sends a visitor to sign-in, and says a refused token in plain words', async () => {
    fakeApi({ 'GET /v1/sites': () => json(401, { status: 401, title: 'Missing or unknown token', detail: 'the bearer token is unknown or was revoked', code: 'unauthenticated' }, 'application/problem+json') });
    render(<App />);
    await userEvent.type(await screen.findByLabelText(/Organization token/), 'wrong');
    await userEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    expect((await screen.findByRole('alert')).textContent).toContain('The bearer token is unknown or was revoked. Sign in again with a valid token.');
    expect(sessionStorage.getItem('bpo-console-token')).toBeNull();
  });

  it('with the operator token, creates an organization, shows its token once, and signs in with it', async () => {
    const calls = fakeApi({
      'GET /v1/sites': (init) =>
        new Headers(init.headers).get('authorization') === 'Bearer operator'
          ? json(403, { status: 403, code: 'forbidden', title: 'Token not allowed to do this', detail: 'the operator token may only create organizations; use a token of the organization' }, 'application/problem+json')
          : json(200, { items: [] }),
      'POST /v1/organizations': (init) => {
        const body = JSON.parse(String(init.body));
        if (body.timezone === 'Mars/Base')
          return json(400, { status: 400, code: 'validation', errors: [{ field: 'timezone', problems: ['timezone must be an IANA time zone such as Europe/Paris'] }] }, 'application/problem+json');
        return json(201, { organization: { id: 'o1', name: body.name, timezone: body.timezone }, token: { id: 't1', name: 'admin', role: 'admin', token: 'bpo_admin' }, defaultSchedule: { id: 's1', name: 'Default', isDefault: true } });
      },
      'GET /v1/integrations': () => json(200, { items: [] }),
      'GET /v1/platforms': () => json(200, { items: [] }),
    });
    render(<App />);
    await userEvent.type(await screen.findByLabelText(/Organization token/), 'operator');
    await userEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    await userEvent.type(await screen.findByLabelText(/Organization name/), 'Acme');
    const zone = screen.getByLabelText(/Time zone/);
    await userEvent.clear(zone);
    await userEvent.type(zone, 'Mars/Base');
    await userEvent.click(screen.getByRole('button', { name: 'Create organization' }));
    expect(await screen.findByText('timezone must be an IANA time zone such as Europe/Paris')).toBeTruthy();
    await userEvent.clear(zone);
    await userEvent.type(zone, 'Asia/Manila');
    await userEvent.click(screen.getByRole('button', { name: 'Create organization' }));
    expect((await screen.findByTestId('value-admin-token')).textContent).toBe('bpo_admin');
    await userEvent.click(screen.getByRole('button', { name: 'Sign in to Acme' }));
    expect(await screen.findByText(/No site is marked as a BPO yet/)).toBeTruthy();
    expect(sessionStorage.getItem('bpo-console-token')).toBe('bpo_admin');
    expect(calls).toContain('GET /v1/sites Bearer bpo_admin');
  });
});
