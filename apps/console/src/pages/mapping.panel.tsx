import { Badge, Button, Card, Grid, Group, Modal, Select, Stack, Table, Text, Textarea, TextInput, Title, VisuallyHidden } from '@mantine/core';
import { useDebouncedValue, useDisclosure } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { EventType, Integration, MappingPreviewItem, MappingRule, MappingRuleList, MatchType, Priority } from '../api/api.types';
import { useEventTypes } from '../api/queries';
import { useApi } from '../session/session.context';
import { MATCH_TYPE_LABELS, PRIORITY_LABELS, PRIORITY_ORDER } from '../ui/format.util';
import { ErrorAlert, QueryState } from '../ui/query-state';
import { usePermission } from '../session/permissions';
import { PermissionNote, PermittedButton } from '../ui/permitted';
import { mutationForm } from '../ui/mutation-form';

const MATCH_TYPES = (Object.keys(MATCH_TYPE_LABELS) as MatchType[]).map((value) => ({ value, label: MATCH_TYPE_LABELS[value] }));
const PRIORITIES = PRIORITY_ORDER.map((value) => ({ value, label: PRIORITY_LABELS[value] }));

/** Event mapping: the integration's rules, its default mapping, and a live preview. */
export function MappingPanel({ integration }: { integration: Integration }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const key = ['integrations', integration.id, 'mapping-rules'];
  const rules = useQuery({ queryKey: key, queryFn: () => api.get<MappingRuleList>(`/integrations/${integration.id}/mapping-rules`) });
  const eventTypes = useEventTypes();
  const [editing, setEditing] = useState<MappingRule | 'new' | null>(null);
  const [typeOpen, typeModal] = useDisclosure(false);
  const manage = usePermission('manage_integrations');
  const typeName = (id: string | null) => eventTypes.data?.items.find((t) => t.id === id)?.name ?? '—';
  const remove = useMutation({
    mutationFn: (ruleId: string) => api.delete(`/integrations/${integration.id}/mapping-rules/${ruleId}`),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: key }),
  });
  const setDefault = useMutation({
    mutationFn: (eventTypeId: string | null) => api.put(`/integrations/${integration.id}/default-mapping`, { eventTypeId }),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: key });
      await queryClient.invalidateQueries({ queryKey: ['integrations', integration.id] });
      notifications.show({ color: 'green', message: 'Default mapping saved' });
    },
  });
  const typeOptions = (eventTypes.data?.items ?? []).map((t) => ({ value: t.id, label: t.name }));

  return (
    <Grid gap="lg">
      <Grid.Col span={{ base: 12, lg: 7 }}>
        <Card withBorder padding="md">
          <Stack>
            <Group justify="space-between">
              <Title order={2} size="h4">
                Mapping rules
              </Title>
              <Group gap="xs">
                <PermittedButton permission="manage_integrations" variant="default" onClick={typeModal.open}>
                  New event type
                </PermittedButton>
                <PermittedButton permission="manage_integrations" onClick={() => setEditing('new')}>
                  Add rule
                </PermittedButton>
              </Group>
            </Group>
            <Text size="sm" c="dimmed">
              Each activity in a file is matched (ignoring case and surrounding spaces); the highest-priority matching rule decides its event type, ties going to the older rule. Changes apply from the next file on.
            </Text>
            <QueryState query={rules} label="mapping rules" empty="No rules yet: add one to map the BPO's activities to your event types." isEmpty={(data) => data.items.length === 0}>
              {(data) => (
                <Table.ScrollContainer minWidth={520} type="native">
                  <Table withTableBorder striped aria-label="Mapping rules">
                    <Table.Thead>
                      <Table.Tr>
                        <Table.Th scope="col">Activity</Table.Th>
                        <Table.Th scope="col">Keyword</Table.Th>
                        <Table.Th scope="col">Priority</Table.Th>
                        <Table.Th scope="col">Event type</Table.Th>
                        <Table.Th scope="col">
                          <VisuallyHidden>Actions</VisuallyHidden>
                        </Table.Th>
                      </Table.Tr>
                    </Table.Thead>
                    <Table.Tbody>
                      {[...data.items]
                        .sort((a, b) => PRIORITY_ORDER.indexOf(a.priority) - PRIORITY_ORDER.indexOf(b.priority) || a.position - b.position)
                        .map((rule) => (
                          <Table.Tr key={rule.id}>
                            <Table.Td>{MATCH_TYPE_LABELS[rule.matchType]}</Table.Td>
                            <Table.Td>
                              <Text ff="monospace" size="sm">
                                {rule.keyword}
                              </Text>
                            </Table.Td>
                            <Table.Td>{PRIORITY_LABELS[rule.priority]}</Table.Td>
                            <Table.Td>{typeName(rule.eventTypeId)}</Table.Td>
                            <Table.Td>
                              <Group gap={4} wrap="nowrap">
                                <PermittedButton permission="manage_integrations" size="xs" variant="subtle" onClick={() => setEditing(rule)} aria-label={`Edit rule ${rule.keyword}`}>
                                  Edit
                                </PermittedButton>
                                <PermittedButton permission="manage_integrations" size="xs" variant="subtle" color="red" onClick={() => remove.mutate(rule.id)} aria-label={`Delete rule ${rule.keyword}`}>
                                  Delete
                                </PermittedButton>
                              </Group>
                            </Table.Td>
                          </Table.Tr>
                        ))}
                    </Table.Tbody>
                  </Table>
                </Table.ScrollContainer>
              )}
            </QueryState>
            <ErrorAlert error={remove.error} title="Could not delete the rule" />
            <Select
              label="Default mapping"
              description="The event type of activities no rule matches; without one they are row errors (unmapped activity)"
              placeholder="No default"
              data={typeOptions}
              value={rules.data?.defaultEventTypeId ?? null}
              onChange={(value) => setDefault.mutate(value)}
              clearable
              disabled={!rules.data || !manage.allowed}
            />
            <PermissionNote permission="manage_integrations" />
            <ErrorAlert error={setDefault.error} title="Could not save the default mapping" />
          </Stack>
        </Card>
      </Grid.Col>
      <Grid.Col span={{ base: 12, lg: 5 }}>
        <MappingPreview integrationId={integration.id} version={rules.dataUpdatedAt} />
      </Grid.Col>
      <Modal opened={editing !== null} onClose={() => setEditing(null)} title={editing === 'new' ? 'Add rule' : 'Edit rule'}>
        {editing !== null ? (
          <RuleForm
            integrationId={integration.id}
            rule={editing === 'new' ? null : editing}
            eventTypes={eventTypes.data?.items ?? []}
            onDone={() => setEditing(null)}
            onNewEventType={typeModal.open}
          />
        ) : null}
      </Modal>
      <Modal opened={typeOpen} onClose={typeModal.close} title="New event type">
        {typeOpen ? <EventTypeForm onDone={typeModal.close} /> : null}
      </Modal>
    </Grid>
  );
}

function RuleForm({
  integrationId,
  rule,
  eventTypes,
  onDone,
  onNewEventType,
}: {
  integrationId: string;
  rule: MappingRule | null;
  eventTypes: EventType[];
  onDone: () => void;
  onNewEventType: () => void;
}) {
  const api = useApi();
  const queryClient = useQueryClient();
  const [matchType, setMatchType] = useState<MatchType>(rule?.matchType ?? 'exact');
  const [keyword, setKeyword] = useState(rule?.keyword ?? '');
  const [priority, setPriority] = useState<Priority>(rule?.priority ?? 'medium');
  const [eventTypeId, setEventTypeId] = useState<string | null>(rule?.eventTypeId ?? null);
  const save = useMutation({
    mutationFn: () => {
      const body = { matchType, keyword, priority, eventTypeId };
      return rule ? api.patch(`/integrations/${integrationId}/mapping-rules/${rule.id}`, body) : api.post(`/integrations/${integrationId}/mapping-rules`, body);
    },
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ['integrations', integrationId, 'mapping-rules'] });
      notifications.show({ color: 'green', message: rule ? 'Rule saved' : 'Rule added' });
      onDone();
    },
  });
  const { fieldError, submit } = mutationForm(save);
  return (
    <form onSubmit={submit}>
      <Stack>
        <Select label="Match type" data={MATCH_TYPES} value={matchType} onChange={(value) => value && setMatchType(value as MatchType)} allowDeselect={false} error={fieldError('matchType')} />
        <TextInput
          label="Keyword"
          description={matchType === 'pattern' ? 'A regular expression (RE2), e.g. ^lunch( break)?$' : 'Compared ignoring case'}
          required
          value={keyword}
          onChange={(e) => setKeyword(e.currentTarget.value)}
          error={fieldError('keyword')}
        />
        <Select label="Priority" data={PRIORITIES} value={priority} onChange={(value) => value && setPriority(value as Priority)} allowDeselect={false} error={fieldError('priority')} />
        <Select
          label="Event type"
          placeholder={eventTypes.length ? 'Choose an event type' : 'Create an event type first'}
          data={eventTypes.map((t) => ({ value: t.id, label: t.name }))}
          value={eventTypeId}
          onChange={setEventTypeId}
          searchable
          required
          error={fieldError('eventTypeId')}
        />
        <Button variant="subtle" size="xs" onClick={onNewEventType} style={{ alignSelf: 'flex-start' }}>
          New event type
        </Button>
        {save.error && !['matchType', 'keyword', 'priority', 'eventTypeId'].some((f) => fieldError(f)) ? <ErrorAlert error={save.error} title="Could not save the rule" /> : null}
        <Group justify="flex-end">
          <Button variant="default" onClick={onDone}>
            Cancel
          </Button>
          <Button type="submit" loading={save.isPending} disabled={!keyword.trim() || !eventTypeId}>
            {rule ? 'Save rule' : 'Add rule'}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

function EventTypeForm({ onDone }: { onDone: () => void }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const [name, setName] = useState('');
  const create = useMutation({
    mutationFn: () => api.post<EventType>('/event-types', { name: name.trim() }),
    onSuccess: async (created) => {
      await queryClient.invalidateQueries({ queryKey: ['event-types'] });
      notifications.show({ color: 'green', message: `Event type ${created.name} created` });
      onDone();
    },
  });
  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        create.mutate();
      }}
    >
      <Stack>
        <TextInput label="Event type name" required data-autofocus value={name} onChange={(e) => setName(e.currentTarget.value)} />
        <ErrorAlert error={create.error} title="Could not create the event type" />
        <Group justify="flex-end">
          <Button variant="default" onClick={onDone}>
            Cancel
          </Button>
          <Button type="submit" loading={create.isPending} disabled={!name.trim()}>
            Create event type
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

const KIND_LABELS: Record<MappingPreviewItem['kind'], string> = { rule: 'Rule', default: 'Default mapping', unmapped: 'Unmapped' };
const KIND_COLORS: Record<MappingPreviewItem['kind'], string> = { rule: 'green', default: 'blue', unmapped: 'red' };

/** Type activities (one a line) and see which rule maps each, and to what: the API's own matching. */
function MappingPreview({ integrationId, version }: { integrationId: string; version: number }) {
  const api = useApi();
  const [text, setText] = useState('');
  const [debounced] = useDebouncedValue(text, 300);
  const activities = debounced
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .slice(0, 100);
  const preview = useQuery({
    queryKey: ['integrations', integrationId, 'mapping-preview', activities, version],
    queryFn: () => api.post<{ items: MappingPreviewItem[] }>(`/integrations/${integrationId}/mapping-rules/preview`, { activities }),
    enabled: activities.length > 0,
    placeholderData: keepPreviousData,
  });
  const rules = useQuery({ queryKey: ['integrations', integrationId, 'mapping-rules'], queryFn: () => api.get<MappingRuleList>(`/integrations/${integrationId}/mapping-rules`) });
  const ruleLabel = (id: string | null) => {
    const rule = rules.data?.items.find((r) => r.id === id);
    return rule ? `${MATCH_TYPE_LABELS[rule.matchType]} "${rule.keyword}"` : '';
  };
  return (
    <Card withBorder padding="md">
      <Stack>
        <Title order={2} size="h4">
          Live preview
        </Title>
        <Textarea
          label="Activities"
          description="One activity a line, as they appear in the BPO's file"
          placeholder={'Phones\nBRK-15\nLunch Break'}
          autosize
          minRows={4}
          value={text}
          onChange={(e) => setText(e.currentTarget.value)}
        />
        {activities.length === 0 ? (
          <Text size="sm" c="dimmed">
            Type activities to see how they map.
          </Text>
        ) : preview.error ? (
          <ErrorAlert error={preview.error} title="Could not preview" />
        ) : (
          <Table withTableBorder aria-label="Mapping preview" aria-busy={preview.isFetching}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">Activity</Table.Th>
                <Table.Th scope="col">Mapped by</Table.Th>
                <Table.Th scope="col">Event type</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {(preview.data?.items ?? []).map((item, index) => (
                <Table.Tr key={`${index}-${item.activity}`}>
                  <Table.Td>{item.activity}</Table.Td>
                  <Table.Td>
                    <Badge color={KIND_COLORS[item.kind]} variant="light">
                      {KIND_LABELS[item.kind]}
                    </Badge>
                    {item.kind === 'rule' ? (
                      <Text size="xs" c="dimmed">
                        {ruleLabel(item.ruleId)}
                      </Text>
                    ) : null}
                  </Table.Td>
                  <Table.Td>{item.eventTypeName ?? '—'}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </Stack>
    </Card>
  );
}
