import { AppShell, Badge, Burger, Button, createTheme, Group, MantineProvider, NavLink, Text, Title, Tooltip } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { Notifications } from '@mantine/notifications';
import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { useMemo } from 'react';
import { BrowserRouter, Link, Navigate, Outlet, Route, Routes, useLocation } from 'react-router';
import { ApiError } from './api/problem.util';
import { AgentsPage } from './pages/agents.page';
import { FileReportPage } from './pages/file-report.page';
import { IntegrationsPage } from './pages/integrations.page';
import { SitePage } from './pages/site.page';
import { SignInPage } from './pages/sign-in.page';
import { useMe } from './session/permissions';
import { SessionProvider, useSession } from './session/session.context';
import { PageErrorBoundary } from './ui/error-boundary';

// Visible focus everywhere (keyboard users): Mantine's ring on every focusable element.
const theme = createTheme({ focusRing: 'always', primaryColor: 'indigo', defaultRadius: 'sm' });

function Shell() {
  const { signOut } = useSession();
  const [opened, { toggle, close }] = useDisclosure();
  const location = useLocation();
  const links = [
    { to: '/', label: 'Schedule Integrations', active: location.pathname === '/' || location.pathname.startsWith('/sites') },
    { to: '/agents', label: 'Agents', active: location.pathname.startsWith('/agents') },
  ];
  return (
    <AppShell header={{ height: 56 }} navbar={{ width: 240, breakpoint: 'sm', collapsed: { mobile: !opened } }} padding="md">
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label={opened ? 'Close navigation' : 'Open navigation'} />
            <Text fw={700} size="lg" component="span">
              BPO Management
            </Text>
          </Group>
          <Group gap="xs" wrap="nowrap">
            <SignedInAs />
            <Button variant="subtle" onClick={signOut}>
              Sign out
            </Button>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" aria-label="Main">
        {links.map((link) => (
          <NavLink key={link.to} component={Link} to={link.to} label={link.label} active={link.active} onClick={close} aria-current={link.active ? 'page' : undefined} />
        ))}
      </AppShell.Navbar>
      <AppShell.Main>
        <PageErrorBoundary key={location.pathname}>
          <Outlet />
        </PageErrorBoundary>
      </AppShell.Main>
    </AppShell>
  );
}

const ROLE_HINTS = {
  basic: 'Basic: you can look at everything, but not change it.',
  lead: 'Lead: you can also add and edit agents.',
  manager: 'Manager: you can set up sites, integrations, mapping rules and schedules, and replay files.',
  admin: 'Admin: everything a manager can, and tokens.',
} as const;

/** The organization and role of the signed-in token (GET /v1/me, read on every load). */
function SignedInAs() {
  const me = useMe();
  if (!me.data) return null;
  return (
    <Group gap={6} wrap="nowrap" visibleFrom="xs" data-testid="signed-in-as">
      <Text size="sm" truncate maw={200}>
        {me.data.organization.name}
      </Text>
      <Tooltip label={ROLE_HINTS[me.data.role]} events={{ hover: true, focus: true, touch: true }} multiline maw={260}>
        <Badge variant="light" tabIndex={0} aria-label={`Role: ${ROLE_HINTS[me.data.role]}`}>
          {me.data.role}
        </Badge>
      </Tooltip>
    </Group>
  );
}

function RequireSignIn() {
  const { token } = useSession();
  const location = useLocation();
  if (!token) return <Navigate to="/sign-in" replace state={{ from: location.pathname }} />;
  return <Shell />;
}

function Pages() {
  return (
    <Routes>
      <Route path="/sign-in" element={<SignInPage />} />
      <Route element={<RequireSignIn />}>
        <Route index element={<IntegrationsPage />} />
        <Route path="/sites/:siteId/sync/:fileId" element={<FileReportPage />} />
        <Route path="/sites/:siteId/:tab?" element={<SitePage />} />
        <Route path="/agents" element={<AgentsPage />} />
        <Route path="*" element={<Title order={2}>Page not found</Title>} />
      </Route>
    </Routes>
  );
}

/**
 * A 401 anywhere means the token is gone: sign out, back to sign-in. Each token gets its own cache,
 * so nothing read with one token (its organization's data, its role) shows under another.
 */
function Queries({ children }: { children: React.ReactNode }) {
  const { signOut, token } = useSession();
  const client = useMemo(() => {
    const onError = (error: unknown) => {
      if (error instanceof ApiError && error.status === 401) signOut();
    };
    return new QueryClient({
      queryCache: new QueryCache({ onError }),
      mutationCache: new MutationCache({ onError }),
      defaultOptions: { queries: { retry: (count, error) => !(error instanceof ApiError && error.status < 500) && count < 2, refetchOnWindowFocus: false } },
    });
    // `token` is not read inside: it is there so each signed-in token gets a new cache.
  }, [signOut, token]);
  return <QueryClientProvider client={client}>{children}</QueryClientProvider>;
}

export function App() {
  return (
    <MantineProvider theme={theme}>
      <Notifications position="top-right" />
      <SessionProvider>
        <Queries>
          <BrowserRouter basename="/console">
            <Pages />
          </BrowserRouter>
        </Queries>
      </SessionProvider>
    </MantineProvider>
  );
}
