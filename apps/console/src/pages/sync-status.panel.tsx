import { Anchor, Button, Group, Stack, Table, Text, Title } from '@mantine/core';
import { useInfiniteQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import type { Integration, ListOf, ReceivedFile, Site, SyncCounts } from '../api/api.types';
import { useApi } from '../session/session.context';
import { formatBytes, formatDateTime, formatDuration } from '../ui/format.util';
import { QueryState } from '../ui/query-state';
import { StatusBadge } from '../ui/status-badge';

/** Sync status: the integration's files, newest first, with status, counts and timings. */
export function SyncStatusPanel({ integration, site }: { integration: Integration; site: Site }) {
  const api = useApi();
  const files = useInfiniteQuery({
    queryKey: ['integrations', integration.id, 'files'],
    queryFn: ({ pageParam }) => api.get<ListOf<ReceivedFile>>(`/integrations/${integration.id}/files?limit=50${pageParam ? `&cursor=${encodeURIComponent(pageParam)}` : ''}`),
    initialPageParam: '',
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    // While a file is processing, look again every few seconds.
    refetchInterval: (query) => (query.state.data?.pages.some((page) => page.items.some((file) => file.syncRun?.status === 'processing')) ? 3000 : false),
  });
  const all = files.data?.pages.flatMap((page) => page.items);
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2} size="h4">
          Files received
        </Title>
        <Button variant="default" size="xs" onClick={() => files.refetch()} loading={files.isRefetching}>
          Refresh
        </Button>
      </Group>
      <Text size="sm" c="dimmed">
        Times in the site's time zone ({site.timezone}). Open a file for its report: every row error, the original file, replay.
      </Text>
      <QueryState
        query={{ ...files, data: all }}
        label="files"
        empty={`No file received yet. The BPO uploads to ${integration.sftpHost}:${integration.sftpPort} as ${integration.sftpUsername}.`}
        isEmpty={(data) => data.length === 0}
      >
        {(data) => (
          <Table.ScrollContainer minWidth={860} type="native">
            <Table striped highlightOnHover withTableBorder aria-label="Files received, newest first">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">File</Table.Th>
                  <Table.Th scope="col">Received</Table.Th>
                  <Table.Th scope="col">Status</Table.Th>
                  <Table.Th scope="col">Rows</Table.Th>
                  <Table.Th scope="col">Created / updated / deleted</Table.Th>
                  <Table.Th scope="col">Row errors</Table.Th>
                  <Table.Th scope="col">Took</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {data.map((file) => {
                  const run = file.syncRun;
                  const count = (key: keyof SyncCounts) => run?.counts?.[key] ?? '—';
                  return (
                  <Table.Tr key={file.id}>
                    <Table.Td>
                      <Anchor component={Link} to={`/sites/${site.id}/sync/${file.id}`} ff="monospace" size="sm">
                        {file.filename}
                      </Anchor>
                      <Text size="xs" c="dimmed">
                        {formatBytes(file.sizeBytes)}
                      </Text>
                    </Table.Td>
                    <Table.Td>{formatDateTime(file.receivedAt, site.timezone)}</Table.Td>
                    <Table.Td>
                      <StatusBadge status={run?.status} emptyLabel="Not started" />
                      {run?.reason ? (
                        <Text size="xs" c="red.8">
                          {run.reason}
                        </Text>
                      ) : null}
                    </Table.Td>
                    <Table.Td>{count('rows')}</Table.Td>
                    <Table.Td>
                      {count('created')} / {count('updated')} / {count('deleted')}
                    </Table.Td>
                    <Table.Td>{count('rowErrors')}</Table.Td>
                    <Table.Td>{formatDuration(run?.durationMs)}</Table.Td>
                  </Table.Tr>
                  );
                })}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </QueryState>
      {files.hasNextPage ? (
        <Button variant="default" onClick={() => files.fetchNextPage()} loading={files.isFetchingNextPage} style={{ alignSelf: 'center' }}>
          Older files
        </Button>
      ) : null}
    </Stack>
  );
}
