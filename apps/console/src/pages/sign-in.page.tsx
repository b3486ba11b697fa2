import { useDocumentTitle } from '@mantine/hooks';
import { Alert, Anchor, Button, Card, Center, PasswordInput, Stack, Text, TextInput, Title } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { ApiClient } from '../api/api-client';
import type { CreatedOrganization } from '../api/api.types';
import { ApiError, errorText } from '../api/problem.util';
import { useSession } from '../session/session.context';
import { CopyField } from '../ui/copy-field';

const browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone;

/**
 * Sign-in with an organization token. The operator token signs in to one thing only: creating an
 * organization, whose first (admin) token is then shown once, to copy and sign in with.
 */
export function SignInPage() {
  useDocumentTitle('Sign in · BPO Management');
  const { signIn } = useSession();
  const navigate = useNavigate();
  const [token, setToken] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [operator, setOperator] = useState(false);
  const [name, setName] = useState('');
  const [timezone, setTimezone] = useState(browserZone || 'UTC');
  const [created, setCreated] = useState<CreatedOrganization | null>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await new ApiClient(token.trim()).get('/sites?limit=1');
      signIn(token.trim());
      navigate('/', { replace: true });
    } catch (caught) {
      if (caught instanceof ApiError && caught.status === 403 && caught.problem.code === 'forbidden' && /operator/.test(caught.problem.detail ?? '')) setOperator(true);
      else setError(caught);
    } finally {
      setBusy(false);
    }
  };

  const createOrganization = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      setCreated(await new ApiClient(token.trim()).post<CreatedOrganization>('/organizations', { name: name.trim(), timezone: timezone.trim() }));
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Center mih="100vh" p="md" component="main">
      <Card withBorder shadow="sm" padding="lg" w="100%" maw={460}>
        <Stack>
          <div>
            <Text size="sm" c="dimmed">
              BPO Management
            </Text>
            <Title order={1} size="h2">
              {created ? 'Organization created' : operator ? 'Create an organization' : 'Sign in'}
            </Title>
          </div>
          {error ? (
            <Alert color="red" role="alert" title="Could not continue">
              {errorText(error)}
            </Alert>
          ) : null}
          {created ? (
            <>
              <Text size="sm">
                <b>{created.organization.name}</b> is ready with its default schedule. Its first token (role admin) is shown only now: copy it and keep it safe.
              </Text>
              <CopyField label="Admin token" value={created.token.token} secret />
              <Button
                onClick={() => {
                  signIn(created.token.token);
                  navigate('/', { replace: true });
                }}
              >
                Sign in to {created.organization.name}
              </Button>
            </>
          ) : operator ? (
            <form onSubmit={createOrganization}>
              <Stack>
                <Text size="sm">This is the operator token: it can only create organizations.</Text>
                <TextInput label="Organization name" required value={name} onChange={(e) => setName(e.currentTarget.value)} error={error instanceof ApiError ? error.fieldProblems('name') : undefined} />
                <TextInput
                  label="Time zone"
                  description="An IANA name such as America/New_York"
                  required
                  value={timezone}
                  onChange={(e) => setTimezone(e.currentTarget.value)}
                  error={error instanceof ApiError ? error.fieldProblems('timezone') : undefined}
                />
                <Button type="submit" loading={busy}>
                  Create organization
                </Button>
                <Anchor component="button" type="button" size="sm" onClick={() => { setOperator(false); setError(null); }}>
                  Use another token
                </Anchor>
              </Stack>
            </form>
          ) : (
            <form onSubmit={submit}>
              <Stack>
                <PasswordInput
                  label="Organization token"
                  description="A token of your organization (role manager to set up integrations), or the operator token to create an organization."
                  required
                  autoFocus
                  autoComplete="off"
                  value={token}
                  onChange={(e) => setToken(e.currentTarget.value)}
                />
                <Button type="submit" loading={busy} disabled={!token.trim()}>
                  Sign in
                </Button>
              </Stack>
            </form>
          )}
        </Stack>
      </Card>
    </Center>
  );
}
