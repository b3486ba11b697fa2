import { Anchor, Breadcrumbs, Button, Card, Group, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { useDocumentTitle } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import type { FileReport, Site } from '../api/api.types';
import { useApi } from '../session/session.context';
import { formatBytes, formatDateTime, formatDuration } from '../ui/format.util';
import { ErrorAlert, QueryState } from '../ui/query-state';
import { StatusBadge } from '../ui/status-badge';
import { PermittedButton } from '../ui/permitted';

/** A file's sync report: status, counts, window, every row error; download or replay the original. */
export function FileReportPage() {
  const { siteId = '', fileId = '' } = useParams();
  const api = useApi();
  const queryClient = useQueryClient();
  const site = useQuery({ queryKey: ['sites', siteId], queryFn: () => api.get<Site>(`/sites/${siteId}`) });
  const integrationId = site.data?.integrationId;
  const report = useInfiniteQuery({
    queryKey: ['integrations', integrationId, 'files', fileId],
    queryFn: ({ pageParam }) => api.get<FileReport>(`/integrations/${integrationId}/files/${fileId}?limit=200${pageParam ? `&cursor=${encodeURIComponent(pageParam)}` : ''}`),
    initialPageParam: '',
    getNextPageParam: (last) => last.errors.nextCursor ?? undefined,
    enabled: !!integrationId,
    refetchInterval: (query) => (query.state.data?.pages[0]?.syncRun?.status === 'processing' ? 2000 : false),
  });
  const [downloadError, setDownloadError] = useState<unknown>(null);
  const replay = useMutation({
    mutationFn: () => api.post<{ syncRunId: string }>(`/integrations/${integrationId}/files/${fileId}/replay`),
    onSuccess: async () => {
      notifications.show({ color: 'green', message: 'Replay started: the file runs through the pipeline again' });
      await queryClient.invalidateQueries({ queryKey: ['integrations', integrationId] });
    },
  });
  const first = report.data?.pages[0];
  useDocumentTitle(`${first?.filename ?? 'File'} · Sync report · BPO Management`);
  const zone = site.data?.timezone;

  return (
    <QueryState query={{ ...report, isPending: site.isPending || report.isPending, error: site.error ?? report.error, data: first }} label="the file's report">
      {(file) => {
        const run = file.syncRun;
        return (
        <Stack>
          <Breadcrumbs aria-label="Breadcrumb">
            <Anchor component={Link} to="/">
              Schedule Integrations
            </Anchor>
            <Anchor component={Link} to={`/sites/${siteId}/sync`}>
              {site.data?.name} · Sync status
            </Anchor>
            <Text>{file.filename}</Text>
          </Breadcrumbs>
          <Group justify="space-between" align="flex-start">
            <div>
              <Title order={1} size="h2" style={{ wordBreak: 'break-all' }}>
                {file.filename}
              </Title>
              <Text size="sm" c="dimmed">
                {formatBytes(file.sizeBytes)} · received {formatDateTime(file.receivedAt, zone)}
              </Text>
            </div>
            <Group gap="xs">
              <Button variant="default" onClick={() => api.download(`/integrations/${integrationId}/files/${fileId}/content`, file.filename).then(() => setDownloadError(null), setDownloadError)}>
                Download original
              </Button>
              <PermittedButton permission="replay_files" onClick={() => replay.mutate()} loading={replay.isPending} disabled={run?.status === 'processing'}>
                Replay
              </PermittedButton>
            </Group>
          </Group>
          <ErrorAlert error={downloadError} title="Could not download the file" />
          <ErrorAlert error={replay.error} title="Could not replay" />
          <Card withBorder>
            <Stack gap="xs">
              <Group>
                <StatusBadge status={run?.status} emptyLabel="Not started" />
                {run?.reason ? (
                  <Text size="sm" c="red.8">
                    {run.stage ? `Failed at ${run.stage}: ` : ''}
                    {run.reason}
                  </Text>
                ) : null}
              </Group>
              <SimpleGrid cols={{ base: 2, sm: 4, lg: 8 }} spacing="xs" aria-label="Counts">
                {(['rows', 'created', 'updated', 'deleted', 'unchanged', 'skippedPast', 'rowErrors'] as const).map((key) => (
                  <div key={key}>
                    <Text size="xs" c="dimmed">
                      {{ rows: 'Rows', created: 'Created', updated: 'Updated', deleted: 'Deleted', unchanged: 'Unchanged', skippedPast: 'Past, skipped', rowErrors: 'Row errors' }[key]}
                    </Text>
                    <Text fw={700} data-testid={`count-${key}`}>
                      {run?.counts?.[key] ?? '—'}
                    </Text>
                  </div>
                ))}
                <div>
                  <Text size="xs" c="dimmed">
                    Took
                  </Text>
                  <Text fw={700}>{formatDuration(run?.durationMs)}</Text>
                </div>
              </SimpleGrid>
              <Text size="sm">
                Days covered: {run?.window ? `${run.window.from} to ${run.window.to}` : '—'} · started {formatDateTime(run?.startedAt, zone)} · finished{' '}
                {formatDateTime(run?.finishedAt, zone)}
              </Text>
              {file.syncRuns.length > 1 ? (
                <Text size="xs" c="dimmed">
                  This file ran {file.syncRuns.length} times (replays); the newest run is shown.
                </Text>
              ) : null}
            </Stack>
          </Card>
          <Title order={2} size="h4">
            Row errors ({first?.errors.total ?? 0})
          </Title>
          {first && first.errors.total === 0 ? (
            <Text c="dimmed">No row errors.</Text>
          ) : (
            <Table.ScrollContainer minWidth={640} type="native">
              <Table withTableBorder striped aria-label="Row errors">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th scope="col">Line</Table.Th>
                    <Table.Th scope="col">Column</Table.Th>
                    <Table.Th scope="col">Code</Table.Th>
                    <Table.Th scope="col">Message</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {report.data?.pages
                    .flatMap((page) => page.errors.items)
                    .map((error, index) => (
                      <Table.Tr key={`${error.line}-${error.code}-${index}`}>
                        <Table.Td>{error.line}</Table.Td>
                        <Table.Td>{error.column ?? '—'}</Table.Td>
                        <Table.Td>
                          <Text ff="monospace" size="sm">
                            {error.code}
                          </Text>
                        </Table.Td>
                        <Table.Td>{error.message}</Table.Td>
                      </Table.Tr>
                    ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )}
          {report.hasNextPage ? (
            <Button variant="default" onClick={() => report.fetchNextPage()} loading={report.isFetchingNextPage} style={{ alignSelf: 'center' }}>
              More errors
            </Button>
          ) : null}
        </Stack>
        );
      }}
    </QueryState>
  );
}
