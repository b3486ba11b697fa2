import { Anchor, Breadcrumbs, Group, Stack, Tabs, Text, Title } from '@mantine/core';
import { useDocumentTitle } from '@mantine/hooks';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import type { SftpCredentials, Site } from '../api/api.types';
import { useIntegration } from '../api/queries';
import { useApi } from '../session/session.context';
import { QueryState } from '../ui/query-state';
import { StatusBadge } from '../ui/status-badge';
import { MappingPanel } from './mapping.panel';
import { SchedulePanel } from './schedule.panel';
import { SetupPanel } from './setup.panel';
import { SyncStatusPanel } from './sync-status.panel';

const TABS = [
  { value: 'setup', label: 'Setup' },
  { value: 'mapping', label: 'Event mapping' },
  { value: 'sync', label: 'Sync status' },
  { value: 'schedule', label: 'Schedule' },
] as const;

/** One BPO site: its integration's setup, event mapping, sync status and schedule, as tabs. */
export function SitePage() {
  const { siteId = '', tab = 'setup' } = useParams();
  const api = useApi();
  const navigate = useNavigate();
  const site = useQuery({ queryKey: ['sites', siteId], queryFn: () => api.get<Site>(`/sites/${siteId}`) });
  const integration = useIntegration(site.data?.integrationId);
  // The password is shown once (after Connect or Rotate) and kept only while this page is open.
  const [credentials, setCredentials] = useState<SftpCredentials | null>(null);
  useDocumentTitle(`${site.data?.name ?? 'Site'} · ${TABS.find((t) => t.value === tab)?.label ?? 'Setup'} · BPO Management`);

  return (
    <QueryState query={site} label="the site">
      {(s) => (
        <Stack>
          <Breadcrumbs aria-label="Breadcrumb">
            <Anchor component={Link} to="/">
              Schedule Integrations
            </Anchor>
            <Text>{s.name}</Text>
          </Breadcrumbs>
          <Group justify="space-between">
            <div>
              <Title order={1} size="h2">
                {s.name}
              </Title>
              <Text size="sm" c="dimmed">
                {s.isBpo ? 'BPO site' : 'Not marked as a BPO'} · {s.timezone}
              </Text>
            </div>
            {integration.data ? <StatusBadge status={integration.data.lastStatus} stale={integration.data.stale} /> : null}
          </Group>
          <Tabs value={tab} onChange={(value) => navigate(`/sites/${siteId}/${value ?? 'setup'}`)} keepMounted={false}>
            <Tabs.List>
              {TABS.map((t) => (
                <Tabs.Tab key={t.value} value={t.value} disabled={t.value !== 'setup' && !s.integrationId}>
                  {t.label}
                </Tabs.Tab>
              ))}
            </Tabs.List>
            <Tabs.Panel value="setup" pt="md">
              <SetupPanel site={s} integration={integration.data ?? null} integrationLoading={!!s.integrationId && integration.isPending} credentials={credentials} onCredentials={setCredentials} />
            </Tabs.Panel>
            {integration.data ? (
              <>
                <Tabs.Panel value="mapping" pt="md">
                  <MappingPanel integration={integration.data} />
                </Tabs.Panel>
                <Tabs.Panel value="sync" pt="md">
                  <SyncStatusPanel integration={integration.data} site={s} />
                </Tabs.Panel>
                <Tabs.Panel value="schedule" pt="md">
                  <SchedulePanel integration={integration.data} site={s} />
                </Tabs.Panel>
              </>
            ) : null}
          </Tabs>
        </Stack>
      )}
    </QueryState>
  );
}
