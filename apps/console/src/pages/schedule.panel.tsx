import { Badge, Button, Card, Group, Modal, SegmentedControl, Select, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import type { Integration, ListOf, Schedule, ScheduleEvent, Site } from '../api/api.types';
import { withQuery } from '../api/api-client';
import { useSchedules } from '../api/queries';
import { useApi } from '../session/session.context';
import { addDays, dayIn, eventsByAgentAndDay, formatDay } from '../ui/format.util';
import { ErrorAlert, QueryState } from '../ui/query-state';
import { ScheduleTimeline } from './schedule-timeline';
import { usePermission } from '../session/permissions';
import { PermissionNote, PermittedButton } from '../ui/permitted';

const DAYS_SHOWN = 7;
const MAX_EVENTS = 5000;

/** Schedule: which schedule the integration syncs to, and that schedule's events by agent and day. */
export function SchedulePanel({ integration, site }: { integration: Integration; site: Site }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const schedules = useSchedules();
  const [editOpen, edit] = useDisclosure(false);
  const manage = usePermission('manage_integrations');
  const defaultSchedule = schedules.data?.items.find((s) => s.isDefault);
  const target = integration.targetScheduleId ?? defaultSchedule?.id ?? null;
  const retarget = useMutation({
    mutationFn: (scheduleId: string | null) => api.patch(`/integrations/${integration.id}`, { targetScheduleId: scheduleId === defaultSchedule?.id ? null : scheduleId }),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ['integrations'] });
      notifications.show({ color: 'green', message: 'The integration now syncs to this schedule (from the next file on)' });
    },
  });
  const [from, setFrom] = useState(() => dayIn(new Date(), site.timezone));
  const [view, setView] = useState<'table' | 'timeline'>('table');
  const [dayIndex, setDayIndex] = useState(0);

  return (
    <Stack>
      <Card withBorder padding="md">
        <Group align="flex-end" wrap="wrap">
          <Select
            label="Syncs to schedule"
            description="The default schedule, or a test schedule to try the integration on first"
            data={(schedules.data?.items ?? []).map((s) => ({ value: s.id, label: s.isDefault ? `${s.name} (default)` : s.name }))}
            value={target}
            onChange={(value) => value && retarget.mutate(value)}
            allowDeselect={false}
            disabled={!schedules.data || !manage.allowed}
            w={{ base: '100%', sm: 360 }}
          />
          <PermittedButton permission="manage_integrations" variant="default" onClick={edit.open}>
            Edit schedules
          </PermittedButton>
        </Group>
        <PermissionNote permission="manage_integrations" />
        <ErrorAlert error={retarget.error ?? schedules.error} title="Could not change the schedule" />
      </Card>
      <Group justify="space-between" align="center">
        <Title order={2} size="h4">
          Events of {site.name}
        </Title>
        <Group gap="xs">
          <Button variant="default" size="xs" onClick={() => setFrom((day) => addDays(day, -DAYS_SHOWN))} aria-label="Previous week">
            ← Previous
          </Button>
          <Button variant="default" size="xs" onClick={() => setFrom(dayIn(new Date(), site.timezone))}>
            Today
          </Button>
          <Button variant="default" size="xs" onClick={() => setFrom((day) => addDays(day, DAYS_SHOWN))} aria-label="Next week">
            Next →
          </Button>
        </Group>
      </Group>
      <Group justify="space-between" align="flex-end" wrap="wrap">
        <SegmentedControl
          aria-label="Show events as"
          value={view}
          onChange={(value) => setView(value as 'table' | 'timeline')}
          data={[
            { value: 'table', label: 'Table' },
            { value: 'timeline', label: 'Timeline' },
          ]}
        />
        {view === 'timeline' ? (
          <Select
            label="Day"
            data={Array.from({ length: DAYS_SHOWN }, (_, i) => ({ value: String(i), label: formatDay(addDays(from, i)) }))}
            value={String(dayIndex)}
            onChange={(value) => value !== null && setDayIndex(Number(value))}
            allowDeselect={false}
            w={180}
          />
        ) : null}
      </Group>
      {target ? <EventsView scheduleId={target} site={site} from={from} view={view} timelineDay={addDays(from, dayIndex)} /> : null}
      <Modal opened={editOpen} onClose={edit.close} title="Schedules" size="lg">
        {editOpen ? <SchedulesEditor schedules={schedules.data?.items ?? []} /> : null}
      </Modal>
    </Stack>
  );
}

function EventsView({ scheduleId, site, from, view, timelineDay }: { scheduleId: string; site: Site; from: string; view: 'table' | 'timeline'; timelineDay: string }) {
  const api = useApi();
  const days = useMemo(() => Array.from({ length: DAYS_SHOWN }, (_, i) => addDays(from, i)), [from]);
  // The API filters by UTC instants: take a day's margin each side, then keep the site's days.
  const events = useQuery({
    queryKey: ['events', scheduleId, site.id, from],
    queryFn: async () => {
      const items: ScheduleEvent[] = [];
      let cursor: string | undefined;
      do {
        const page = await api.get<ListOf<ScheduleEvent>>(
          withQuery('/events', { scheduleId, siteId: site.id, from: `${addDays(from, -1)}T00:00:00Z`, to: `${addDays(from, DAYS_SHOWN + 1)}T00:00:00Z`, limit: 1000, cursor }),
        );
        items.push(...page.items);
        cursor = page.nextCursor ?? undefined;
      } while (cursor && items.length < MAX_EVENTS);
      // The timeline also shows the ends of overnight events that began the day before.
      return items;
    },
  });
  return (
    <QueryState query={events} label="events" empty="No events in these days." isEmpty={(all) => !all.some((event) => days.includes(event.day))}>
      {(all) => {
        if (view === 'timeline') return <ScheduleTimeline events={all} day={timelineDay} timeZone={site.timezone} />;
        const data = all.filter((event) => days.includes(event.day));
        const rows = eventsByAgentAndDay(data, site.timezone);
        return (
          <Table.ScrollContainer minWidth={900} type="native">
            <Table withTableBorder withColumnBorders aria-label={`Events by agent and day, times in ${site.timezone}`}>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">Agent</Table.Th>
                  {days.map((day) => (
                    <Table.Th scope="col" key={day}>
                      {formatDay(day)}
                    </Table.Th>
                  ))}
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {rows.map((row) => (
                  <Table.Tr key={row.agentId}>
                    <Table.Th scope="row">{row.agentName}</Table.Th>
                    {days.map((day) => (
                      <Table.Td key={day} style={{ verticalAlign: 'top' }}>
                        <Stack gap={4}>
                          {(row.days[day]?.events ?? []).map((event) => (
                            <div key={event.id}>
                              <Text size="xs" ff="monospace">
                                {event.start}–{event.end}
                              </Text>
                              <Badge size="sm" variant="light" color={event.color ?? 'indigo'} styles={{ label: { textTransform: 'none' } }}>
                                {event.type}
                              </Badge>
                            </div>
                          ))}
                        </Stack>
                      </Table.Td>
                    ))}
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
            <Text size="xs" c="dimmed" mt={4}>
              {data.length} events; times in {site.timezone}.
            </Text>
          </Table.ScrollContainer>
        );
      }}
    </QueryState>
  );
}

function SchedulesEditor({ schedules }: { schedules: Schedule[] }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const [name, setName] = useState('');
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['schedules'] });
  const create = useMutation({
    mutationFn: () => api.post<Schedule>('/schedules', { name: name.trim() }),
    onSuccess: async () => {
      setName('');
      await refresh();
    },
  });
  const remove = useMutation({ mutationFn: (id: string) => api.delete(`/schedules/${id}`), onSuccess: refresh });
  return (
    <Stack>
      <Table withTableBorder aria-label="Schedules">
        <Table.Tbody>
          {schedules.map((s) => (
            <Table.Tr key={s.id}>
              <Table.Td>
                {s.name} {s.isDefault ? <Badge variant="light">Default</Badge> : null}
              </Table.Td>
              <Table.Td align="right">
                {s.isDefault ? null : (
                  <Button size="xs" variant="subtle" color="red" onClick={() => remove.mutate(s.id)} aria-label={`Delete schedule ${s.name}`}>
                    Delete
                  </Button>
                )}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <ErrorAlert error={remove.error} title="Could not delete the schedule" />
      <form
        onSubmit={(event) => {
          event.preventDefault();
          create.mutate();
        }}
      >
        <Group align="flex-end">
          <TextInput label="New test schedule" value={name} onChange={(e) => setName(e.currentTarget.value)} style={{ flex: 1 }} />
          <Button type="submit" disabled={!name.trim()} loading={create.isPending}>
            Create
          </Button>
        </Group>
      </form>
      <ErrorAlert error={create.error} title="Could not create the schedule" />
    </Stack>
  );
}
