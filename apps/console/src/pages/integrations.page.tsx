import { Anchor, Button, Checkbox, Group, Modal, Stack, Switch, Table, Text, TextInput, Title, VisuallyHidden } from '@mantine/core';
import { useDisclosure, useDocumentTitle } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import type { Site } from '../api/api.types';
import { useIntegrations, usePlatforms, useSites } from '../api/queries';
import { useApi } from '../session/session.context';
import { formatDateTime } from '../ui/format.util';
import { ErrorAlert, QueryState } from '../ui/query-state';
import { StatusBadge } from '../ui/status-badge';
import { PermittedButton } from '../ui/permitted';
import { mutationForm } from '../ui/mutation-form';

const browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

/** BPO Management → Schedule Integrations: each BPO site with its integration and last sync. */
export function IntegrationsPage() {
  useDocumentTitle('Schedule Integrations · BPO Management');
  const sites = useSites();
  const integrations = useIntegrations();
  const platforms = usePlatforms();
  const [bposOpen, bpos] = useDisclosure(false);
  const [siteOpen, site] = useDisclosure(false);
  const platformName = (platform: string) => platforms.data?.items.find((p) => p.platform === platform)?.name ?? platform;

  return (
    <Stack>
      <Group justify="space-between" align="flex-end">
        <div>
          <Text size="sm" c="dimmed">
            BPO Management
          </Text>
          <Title order={1} size="h2">
            Schedule Integrations
          </Title>
        </div>
        <Group gap="xs">
          <PermittedButton permission="manage_integrations" variant="default" onClick={site.open}>
            Create site
          </PermittedButton>
          <PermittedButton permission="manage_integrations" onClick={bpos.open}>
            Add/Remove BPOs
          </PermittedButton>
        </Group>
      </Group>
      <Text size="sm" c="dimmed">
        Each BPO site uploads its WFM tool's schedule export over SFTP; the platform turns each row into an event on your schedule.
      </Text>
      <QueryState query={sites} label="sites" empty="No site is marked as a BPO yet. Use Add/Remove BPOs (or Create site) to add one." isEmpty={(data) => !data.items.some((s) => s.isBpo)}>
        {(data) => (
          <Table.ScrollContainer minWidth={720} type="native">
            <Table striped highlightOnHover withTableBorder aria-label="BPO sites and their integrations">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">BPO site</Table.Th>
                  <Table.Th scope="col">Integration</Table.Th>
                  <Table.Th scope="col">Platform</Table.Th>
                  <Table.Th scope="col">Last sync</Table.Th>
                  <Table.Th scope="col">Status</Table.Th>
                  <Table.Th scope="col">
                    <VisuallyHidden>Actions</VisuallyHidden>
                  </Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {data.items
                  .filter((s) => s.isBpo)
                  .sort((a, b) => a.name.localeCompare(b.name))
                  .map((s) => {
                    const integration = integrations.data?.items.find((i) => i.siteId === s.id);
                    return (
                      <Table.Tr key={s.id}>
                        <Table.Td>
                          <Anchor component={Link} to={`/sites/${s.id}`} fw={600}>
                            {s.name}
                          </Anchor>
                          <Text size="xs" c="dimmed">
                            {s.timezone}
                          </Text>
                        </Table.Td>
                        <Table.Td>{integration ? <Text ff="monospace" size="sm">{integration.sftpUsername}</Text> : <Text c="dimmed" size="sm">Not connected</Text>}</Table.Td>
                        <Table.Td>{integration ? platformName(integration.platform) : '—'}</Table.Td>
                        <Table.Td>{integration ? formatDateTime(integration.lastSyncAt, s.timezone) : '—'}</Table.Td>
                        <Table.Td>{integration ? <StatusBadge status={integration.lastStatus} stale={integration.stale} /> : '—'}</Table.Td>
                        <Table.Td>
                          <Button component={Link} to={`/sites/${s.id}`} size="xs" variant={integration ? 'light' : 'filled'} aria-label={`${integration ? 'Open' : 'Set up'} ${s.name}`}>
                            {integration ? 'Open' : 'Set up'}
                          </Button>
                        </Table.Td>
                      </Table.Tr>
                    );
                  })}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </QueryState>
      <Modal opened={bposOpen} onClose={bpos.close} title="Add/Remove BPOs">
        {bposOpen && sites.data ? (
          <MarkBposForm
            sites={sites.data.items}
            onDone={bpos.close}
            onCreateSite={() => {
              bpos.close();
              site.open();
            }}
          />
        ) : null}
      </Modal>
      <Modal opened={siteOpen} onClose={site.close} title="Create site">
        {siteOpen ? <CreateSiteForm onDone={site.close} /> : null}
      </Modal>
    </Stack>
  );
}

function MarkBposForm({ sites, onDone, onCreateSite }: { sites: Site[]; onDone: () => void; onCreateSite: () => void }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const [selected, setSelected] = useState<Set<string>>(() => new Set(sites.filter((s) => s.isBpo).map((s) => s.id)));
  const save = useMutation({
    mutationFn: async () => {
      const add = sites.filter((s) => !s.isBpo && selected.has(s.id)).map((s) => s.id);
      const remove = sites.filter((s) => s.isBpo && !selected.has(s.id)).map((s) => s.id);
      if (add.length) await api.post('/sites/bpo', { siteIds: add, isBpo: true });
      if (remove.length) await api.post('/sites/bpo', { siteIds: remove, isBpo: false });
    },
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ['sites'] });
      notifications.show({ color: 'green', message: 'BPO sites saved' });
      onDone();
    },
  });
  const toggle = (id: string, on: boolean) =>
    setSelected((current) => {
      const next = new Set(current);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });
  return (
    <Stack>
      <Text size="sm">Mark the sites run by a BPO. A site must be a BPO to connect a schedule integration.</Text>
      {sites.length === 0 ? <Text c="dimmed">Your organization has no sites yet.</Text> : null}
      <Stack gap="xs" role="group" aria-label="Sites">
        {[...sites]
          .sort((a, b) => a.name.localeCompare(b.name))
          .map((s) => (
            <Checkbox key={s.id} label={s.name} description={s.timezone} checked={selected.has(s.id)} onChange={(e) => toggle(s.id, e.currentTarget.checked)} />
          ))}
      </Stack>
      <Anchor component="button" type="button" size="sm" onClick={onCreateSite} ta="left">
        Create a site
      </Anchor>
      <ErrorAlert error={save.error} title="Could not save" />
      <Group justify="flex-end">
        <Button variant="default" onClick={onDone}>
          Cancel
        </Button>
        <Button onClick={() => save.mutate()} loading={save.isPending}>
          Save
        </Button>
      </Group>
    </Stack>
  );
}

function CreateSiteForm({ onDone }: { onDone: () => void }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const [name, setName] = useState('');
  const [timezone, setTimezone] = useState(browserZone);
  const [isBpo, setIsBpo] = useState(true);
  const create = useMutation({
    mutationFn: () => api.post<Site>('/sites', { name: name.trim(), timezone: timezone.trim(), isBpo }),
    onSuccess: async (created) => {
      await queryClient.invalidateQueries({ queryKey: ['sites'] });
      notifications.show({ color: 'green', message: `Site ${created.name} created` });
      onDone();
    },
  });
  const { fieldError, submit } = mutationForm(create);
  return (
    <form onSubmit={submit}>
      <Stack>
        <TextInput label="Site name" required data-autofocus value={name} onChange={(e) => setName(e.currentTarget.value)} error={fieldError('name')} />
        <TextInput label="Time zone" description="An IANA name such as Asia/Manila" required value={timezone} onChange={(e) => setTimezone(e.currentTarget.value)} error={fieldError('timezone')} />
        <Switch label="This site is a BPO" checked={isBpo} onChange={(e) => setIsBpo(e.currentTarget.checked)} />
        {create.error && !fieldError('name') && !fieldError('timezone') ? <ErrorAlert error={create.error} title="Could not create the site" /> : null}
        <Group justify="flex-end">
          <Button variant="default" onClick={onDone}>
            Cancel
          </Button>
          <Button type="submit" loading={create.isPending}>
            Create site
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
