import { Alert, Anchor, Button, Card, Grid, Group, List, Modal, NumberInput, Select, Stack, Switch, Table, Text, Textarea, Title, VisuallyHidden } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { ConnectedIntegration, Integration, ListOf, Platform, SftpCredentials, Site, SshKey } from '../api/api.types';
import { ApiError } from '../api/problem.util';
import { usePlatforms } from '../api/queries';
import { useApi } from '../session/session.context';
import { CopyField } from '../ui/copy-field';
import { formatDateTime } from '../ui/format.util';
import { ErrorAlert, QueryState } from '../ui/query-state';
import { usePermission } from '../session/permissions';
import { PermissionNote, PermittedButton } from '../ui/permitted';

/**
 * Setup: pick the platform and Connect; the right-hand side then shows the platform's
 * instructions: SFTP access (the password once), public keys, rotation, template, cadence, rules.
 */
export function SetupPanel({
  site,
  integration,
  integrationLoading,
  credentials,
  onCredentials,
}: {
  site: Site;
  integration: Integration | null;
  integrationLoading: boolean;
  credentials: SftpCredentials | null;
  onCredentials: (credentials: SftpCredentials | null) => void;
}) {
  const api = useApi();
  const queryClient = useQueryClient();
  const platforms = usePlatforms();
  const manage = usePermission('manage_integrations');
  const [platform, setPlatform] = useState<Platform | null>(integration?.platform ?? null);
  const chosen = integration?.platform ?? platform;
  const connect = useMutation({
    mutationFn: () => api.post<ConnectedIntegration>(`/sites/${site.id}/integration`, { platform }),
    onSuccess: async (connected) => {
      onCredentials(connected.sftp);
      await queryClient.invalidateQueries({ queryKey: ['sites'] });
      await queryClient.invalidateQueries({ queryKey: ['integrations'] });
      notifications.show({ color: 'green', message: `Connected ${site.name} on ${platformName(connected.integration.platform)}` });
    },
  });
  const platformName = (value: string) => platforms.data?.items.find((p) => p.platform === value)?.name ?? value;

  return (
    <Grid gap="lg">
      <Grid.Col span={{ base: 12, md: 5 }}>
        <Card withBorder padding="md">
          <Stack>
            <Title order={2} size="h4">
              Platform
            </Title>
            {!site.isBpo ? <Alert color="yellow">Mark this site as a BPO (Schedule Integrations → Add/Remove BPOs) before connecting it.</Alert> : null}
            <Select
              label="WFM platform"
              description="The workforce management tool the BPO exports schedules from"
              placeholder="Choose a platform"
              data={(platforms.data?.items ?? []).map((p) => ({ value: p.platform, label: p.name }))}
              value={chosen}
              onChange={(value) => setPlatform(value as Platform | null)}
              disabled={!!integration || integrationLoading || !manage.allowed}
              allowDeselect={false}
            />
            {integration ? null : <PermissionNote permission="manage_integrations" />}
            {integration ? (
              <Text size="sm">
                Connected on {formatDateTime(integration.createdAt, site.timezone)}. To change platform, remove the integration and connect again.
              </Text>
            ) : (
              <PermittedButton permission="manage_integrations" onClick={() => connect.mutate()} disabled={!platform || integrationLoading} loading={connect.isPending}>
                Connect
              </PermittedButton>
            )}
            <ErrorAlert error={connect.error} title="Could not connect" />
            {integration ? <IntegrationSettings integration={integration} /> : null}
            {integration ? <RemoveIntegration integration={integration} onRemoved={() => onCredentials(null)} /> : null}
          </Stack>
        </Card>
      </Grid.Col>
      <Grid.Col span={{ base: 12, md: 7 }}>
        {integration ? (
          <Instructions integration={integration} platformName={platformName(integration.platform)} credentials={credentials} onCredentials={onCredentials} />
        ) : (
          <Card withBorder padding="md">
            <Stack gap="xs">
              <Title order={2} size="h4">
                Instructions
              </Title>
              <Text size="sm" c="dimmed">
                {chosen ? `Press Connect to create the SFTP access for ${platformName(chosen)}.` : 'Choose the platform and press Connect: the SFTP access, template and rules appear here.'}
              </Text>
              {chosen ? <TemplateDownload platform={chosen} /> : null}
            </Stack>
          </Card>
        )}
      </Grid.Col>
    </Grid>
  );
}

function TemplateDownload({ platform }: { platform: Platform }) {
  const api = useApi();
  const [error, setError] = useState<unknown>(null);
  return (
    <Stack gap={4}>
      <Group>
        <Button variant="light" onClick={() => api.download(`/platforms/${platform}/template.csv`, `${platform}-template.csv`).then(() => setError(null), setError)}>
          Download template CSV
        </Button>
      </Group>
      <ErrorAlert error={error} title="Could not download the template" />
    </Stack>
  );
}

function Instructions({
  integration,
  platformName,
  credentials,
  onCredentials,
}: {
  integration: Integration;
  platformName: string;
  credentials: SftpCredentials | null;
  onCredentials: (credentials: SftpCredentials | null) => void;
}) {
  const api = useApi();
  const [rotateOpen, rotate] = useDisclosure(false);
  const rotation = useMutation({
    mutationFn: () => api.post<SftpCredentials>(`/integrations/${integration.id}/credentials/rotate`),
    onSuccess: (fresh) => {
      onCredentials(fresh);
      rotate.close();
      notifications.show({ color: 'green', message: 'New SFTP password issued; the old one no longer works' });
    },
  });
  return (
    <Card withBorder padding="md">
      <Stack>
        <Title order={2} size="h4">
          {platformName} instructions
        </Title>
        <Text size="sm">Set up the export in {platformName} to upload the schedule to this SFTP server:</Text>
        <Stack gap="sm" aria-label="SFTP access">
          <CopyField label="SFTP host" value={integration.sftpHost} />
          <CopyField label="Port" value={String(integration.sftpPort)} />
          <CopyField label="Username" value={integration.sftpUsername} />
          {credentials ? (
            <Alert color="yellow" title="Password: shown only once" variant="light">
              <Stack gap="xs">
                <Text size="sm">Copy it now and give it to the BPO; it cannot be shown again (rotate to issue a new one).</Text>
                <CopyField label="Password" value={credentials.password} secret />
              </Stack>
            </Alert>
          ) : (
            <Text size="sm" c="dimmed">
              The password was shown once, when it was issued. Rotate the credentials to issue a new one, or use a public key.
            </Text>
          )}
          <Group>
            <PermittedButton permission="manage_integrations" variant="outline" color="orange" onClick={rotate.open}>
              Rotate credentials
            </PermittedButton>
          </Group>
        </Stack>
        <SshKeys integrationId={integration.id} />
        <Stack gap="xs">
          <Title order={3} size="h5">
            Template
          </Title>
          <Text size="sm">The export must follow the {platformName} template: its header and two example rows.</Text>
          <TemplateDownload platform={integration.platform} />
        </Stack>
        <Stack gap="xs">
          <Title order={3} size="h5">
            Recommended cadence
          </Title>
          <List size="sm" spacing={4}>
            <List.Item>Every 15 minutes: the schedule for the next 14 days.</List.Item>
            <List.Item>Every 24 hours: the schedule for the next 60 days.</List.Item>
          </List>
          <Text size="xs" c="dimmed">
            This integration is expected to send a file every {integration.expectedCadenceMinutes} minutes; it is marked stale after a silence of four times that.
          </Text>
        </Stack>
        <Stack gap="xs">
          <Title order={3} size="h5">
            Rules
          </Title>
          <List size="sm" spacing={4}>
            <List.Item>Every file name must be unique (e.g. schedule_20261125T0700.csv): a name already received is refused. Use letters, digits, ".", "_" and "-", ending in .csv.</List.Item>
            <List.Item>A file replaces, for each agent in it, the events of the days it covers.</List.Item>
            <List.Item>
              Past events (before the end of today, site time) are {integration.syncPastEvents ? 'also synced (this integration syncs past events)' : 'neither created, changed nor deleted'}.
            </List.Item>
          </List>
        </Stack>
      </Stack>
      <Modal opened={rotateOpen} onClose={rotate.close} title="Rotate credentials?">
        <Stack>
          <Text size="sm">A new password is issued and shown once; the current password stops working at once. Registered public keys keep working.</Text>
          <ErrorAlert error={rotation.error} title="Could not rotate" />
          <Group justify="flex-end">
            <Button variant="default" onClick={rotate.close}>
              Cancel
            </Button>
            <Button color="orange" onClick={() => rotation.mutate()} loading={rotation.isPending}>
              Rotate
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Card>
  );
}

function SshKeys({ integrationId }: { integrationId: string }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const keys = useQuery({ queryKey: ['integrations', integrationId, 'ssh-keys'], queryFn: () => api.get<ListOf<SshKey>>(`/integrations/${integrationId}/ssh-keys`) });
  const [publicKey, setPublicKey] = useState('');
  const manage = usePermission('manage_integrations');
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['integrations', integrationId] });
  const add = useMutation({
    mutationFn: () => api.post<SshKey>(`/integrations/${integrationId}/ssh-keys`, { publicKey: publicKey.trim() }),
    onSuccess: async () => {
      setPublicKey('');
      await refresh();
      notifications.show({ color: 'green', message: 'Public key added' });
    },
  });
  const remove = useMutation({
    mutationFn: (keyId: string) => api.delete(`/integrations/${integrationId}/ssh-keys/${keyId}`),
    onSuccess: refresh,
  });
  return (
    <Stack gap="xs">
      <Title order={3} size="h5">
        Public keys
      </Title>
      <Text size="sm">The BPO may log in with a key instead of the password.</Text>
      <QueryState query={keys} label="public keys" empty="No public key yet." isEmpty={(data) => data.items.length === 0}>
        {(data) => (
          <Table withTableBorder aria-label="Public keys">
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">Key</Table.Th>
                <Table.Th scope="col">Added</Table.Th>
                <Table.Th scope="col">
                  <VisuallyHidden>Actions</VisuallyHidden>
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {data.items.map((key) => (
                <Table.Tr key={key.id}>
                  <Table.Td>
                    <Text size="sm">{key.comment ?? key.algorithm}</Text>
                    <Text size="xs" ff="monospace" c="dimmed" style={{ wordBreak: 'break-all' }}>
                      {key.fingerprint}
                    </Text>
                  </Table.Td>
                  <Table.Td>{formatDateTime(key.createdAt)}</Table.Td>
                  <Table.Td>
                    <PermittedButton permission="manage_integrations" size="xs" color="red" variant="subtle" onClick={() => remove.mutate(key.id)} aria-label={`Remove key ${key.comment ?? key.fingerprint}`}>
                      Remove
                    </PermittedButton>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </QueryState>
      <ErrorAlert error={remove.error} title="Could not remove the key" />
      <Textarea
        label="Add a public key"
        description="One OpenSSH public key line, e.g. ssh-ed25519 AAAA… bpo@example"
        autosize
        minRows={2}
        value={publicKey}
        onChange={(e) => setPublicKey(e.currentTarget.value)}
        disabled={!manage.allowed}
        error={add.error instanceof ApiError ? add.error.message : undefined}
        styles={{ input: { fontFamily: 'monospace' } }}
      />
      <Group>
        <PermittedButton permission="manage_integrations" variant="light" onClick={() => add.mutate()} disabled={!publicKey.trim()} loading={add.isPending}>
          Add key
        </PermittedButton>
      </Group>
      {add.error && !(add.error instanceof ApiError) ? <ErrorAlert error={add.error} /> : null}
    </Stack>
  );
}

function IntegrationSettings({ integration }: { integration: Integration }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const [cadence, setCadence] = useState<number | string>(integration.expectedCadenceMinutes);
  const [syncPast, setSyncPast] = useState(integration.syncPastEvents);
  const manage = usePermission('manage_integrations');
  const save = useMutation({
    mutationFn: () => api.patch<Integration>(`/integrations/${integration.id}`, { expectedCadenceMinutes: Number(cadence), syncPastEvents: syncPast }),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ['integrations'] });
      notifications.show({ color: 'green', message: 'Settings saved' });
    },
  });
  return (
    <Stack gap="sm">
      <Title order={3} size="h5">
        Settings
      </Title>
      <NumberInput
        label="Expected cadence (minutes)"
        description="How often the BPO sends a file (15 recommended)"
        min={1}
        max={10080}
        value={cadence}
        onChange={setCadence}
        disabled={!manage.allowed}
        error={save.error instanceof ApiError ? save.error.fieldProblems('expectedCadenceMinutes') : undefined}
      />
      <Switch label="Sync past events" description="Also change events before the end of today (site time)" checked={syncPast} onChange={(e) => setSyncPast(e.currentTarget.checked)} disabled={!manage.allowed} />
      <ErrorAlert error={save.error} title="Could not save" />
      <Group>
        <PermittedButton permission="manage_integrations" variant="light" onClick={() => save.mutate()} loading={save.isPending}>
          Save settings
        </PermittedButton>
      </Group>
      <Text size="xs" c="dimmed">
        Dates read as {integration.dateOrder}, encoding {integration.encoding}, time zone {integration.timezone}
        {integration.timezoneFromSite ? ' (the site’s)' : ''}.
      </Text>
      <Anchor href="/docs" target="_blank" size="xs">
        All settings in the API reference
      </Anchor>
    </Stack>
  );
}

function RemoveIntegration({ integration, onRemoved }: { integration: Integration; onRemoved: () => void }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const [opened, modal] = useDisclosure(false);
  const remove = useMutation({
    mutationFn: () => api.delete(`/integrations/${integration.id}`),
    onSuccess: async () => {
      modal.close();
      onRemoved();
      await queryClient.invalidateQueries({ queryKey: ['sites'] });
      await queryClient.invalidateQueries({ queryKey: ['integrations'] });
      notifications.show({ color: 'green', message: 'Integration removed' });
    },
  });
  return (
    <>
      <Group>
        <PermittedButton permission="manage_integrations" variant="subtle" color="red" size="xs" onClick={modal.open}>
          Remove integration
        </PermittedButton>
      </Group>
      <Modal opened={opened} onClose={modal.close} title="Remove this integration?">
        <Stack>
          <Text size="sm">
            The SFTP login {integration.sftpUsername} stops working, and the integration's mapping rules, files and reports are removed. Events already on the schedule stay. You can connect the site again afterwards.
          </Text>
          <ErrorAlert error={remove.error} title="Could not remove the integration" />
          <Group justify="flex-end">
            <Button variant="default" onClick={modal.close}>
              Cancel
            </Button>
            <Button color="red" onClick={() => remove.mutate()} loading={remove.isPending}>
              Remove integration
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}
