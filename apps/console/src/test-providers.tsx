import { MantineProvider } from '@mantine/core';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render } from '@testing-library/react';
import type { ReactNode } from 'react';
import { MemoryRouter } from 'react-router';
import { SessionProvider } from './session/session.context';

/** Renders a part of the console as the app does (signed in with `token`), for component tests. */
export function renderSignedIn(ui: ReactNode, { token = 'bpo_test', path = '/' }: { token?: string; path?: string } = {}) {
  sessionStorage.setItem('bpo-console-token', token);
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <MantineProvider>
      <SessionProvider>
        <QueryClientProvider client={client}>
          <MemoryRouter initialEntries={[path]}>{ui}</MemoryRouter>
        </QueryClientProvider>
      </SessionProvider>
    </MantineProvider>,
  );
}

export const jsonResponse = (status: number, body: unknown, type = 'application/json') => new Response(JSON.stringify(body), { status, headers: { 'content-type': type } });
