import { Badge, Button, Card, FileInput, Group, Modal, Select, Stack, Table, Text, Textarea, TextInput, Title, VisuallyHidden } from '@mantine/core';
import { useDisclosure, useDocumentTitle } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { Agent, ImportResult, Integration, ListOf, PlatformField, PlatformIds, Site } from '../api/api.types';
import { withQuery } from '../api/api-client';
import { useIntegrations, useSites } from '../api/queries';
import { useApi } from '../session/session.context';
import { PLATFORM_FIELD_LABELS } from '../ui/format.util';
import { ErrorAlert, QueryState } from '../ui/query-state';
import { PermittedButton } from '../ui/permitted';
import { mutationForm } from '../ui/mutation-form';

/** The platform ID fields a site's agents may have: one per integration of the site. */
export function fieldsOfSite(siteId: string | null, integrations: Integration[]): PlatformField[] {
  return integrations.filter((i) => i.siteId === siteId).map((i) => i.agentIdField);
}

/** Agents: each agent's platform ID fields, edited one by one or imported from a CSV. */
export function AgentsPage() {
  useDocumentTitle('Agents · BPO Management');
  const api = useApi();
  const sites = useSites();
  const integrations = useIntegrations();
  const [siteId, setSiteId] = useState<string | null>(null);
  const site = siteId ?? sites.data?.items.find((s) => s.isBpo)?.id ?? sites.data?.items[0]?.id ?? null;
  const agents = useQuery({
    queryKey: ['agents', site],
    queryFn: () => api.get<ListOf<Agent>>(withQuery('/agents', { siteId: site, limit: 1000 })),
    enabled: !!site,
  });
  const fields = fieldsOfSite(site, integrations.data?.items ?? []);
  const [editing, setEditing] = useState<Agent | 'new' | null>(null);
  const [importOpen, importModal] = useDisclosure(false);
  const siteInfo = sites.data?.items.find((s) => s.id === site);

  return (
    <Stack>
      <Group justify="space-between" align="flex-end">
        <div>
          <Text size="sm" c="dimmed">
            BPO Management
          </Text>
          <Title order={1} size="h2">
            Agents
          </Title>
        </div>
        <Group gap="xs">
          <PermittedButton permission="edit_agents" variant="default" onClick={importModal.open} disabled={!site}>
            Import CSV
          </PermittedButton>
          <PermittedButton permission="edit_agents" onClick={() => setEditing('new')} disabled={!site}>
            Add agent
          </PermittedButton>
        </Group>
      </Group>
      <Select
        label="Site"
        data={(sites.data?.items ?? []).map((s) => ({ value: s.id, label: s.isBpo ? `${s.name} (BPO)` : s.name }))}
        value={site}
        onChange={setSiteId}
        allowDeselect={false}
        w={{ base: '100%', sm: 360 }}
        placeholder={sites.isPending ? 'Loading sites…' : 'No sites yet'}
      />
      <ErrorAlert error={sites.error} title="Could not load the sites" />
      {site && fields.length === 0 ? (
        <Text size="sm" c="dimmed">
          This site has no integration yet: connect one (Schedule Integrations → the site → Setup) to give its agents platform IDs.
        </Text>
      ) : null}
      {site ? (
        <QueryState query={agents} label="agents" empty="No agents at this site yet." isEmpty={(data) => data.items.length === 0}>
          {(data) => (
            <Table.ScrollContainer minWidth={560} type="native">
              <Table striped withTableBorder aria-label={`Agents of ${siteInfo?.name ?? 'the site'}`}>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th scope="col">Name</Table.Th>
                    <Table.Th scope="col">Email</Table.Th>
                    {fields.map((field) => (
                      <Table.Th scope="col" key={field}>
                        {PLATFORM_FIELD_LABELS[field]}
                      </Table.Th>
                    ))}
                    <Table.Th scope="col">
                      <VisuallyHidden>Actions</VisuallyHidden>
                    </Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {[...data.items]
                    .sort((a, b) => a.name.localeCompare(b.name))
                    .map((agent) => (
                      <Table.Tr key={agent.id}>
                        <Table.Td>{agent.name}</Table.Td>
                        <Table.Td>{agent.email ?? '—'}</Table.Td>
                        {fields.map((field) => (
                          <Table.Td key={field}>
                            <Text ff="monospace" size="sm">
                              {agent.platformIds[field] ?? '—'}
                            </Text>
                          </Table.Td>
                        ))}
                        <Table.Td>
                          <PermittedButton permission="edit_agents" size="xs" variant="subtle" onClick={() => setEditing(agent)} aria-label={`Edit ${agent.name}`}>
                            Edit
                          </PermittedButton>
                        </Table.Td>
                      </Table.Tr>
                    ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )}
        </QueryState>
      ) : null}
      <Modal opened={editing !== null} onClose={() => setEditing(null)} title={editing === 'new' ? 'Add agent' : `Edit ${editing?.name ?? ''}`}>
        {editing !== null && site ? <AgentForm agent={editing === 'new' ? null : editing} siteId={site} fields={fields} onDone={() => setEditing(null)} /> : null}
      </Modal>
      <Modal opened={importOpen} onClose={importModal.close} title="Import platform IDs from CSV" size="xl">
        {importOpen && siteInfo ? <ImportForm site={siteInfo} fields={fields} /> : null}
      </Modal>
    </Stack>
  );
}

function AgentForm({ agent, siteId, fields, onDone }: { agent: Agent | null; siteId: string; fields: PlatformField[]; onDone: () => void }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const [name, setName] = useState(agent?.name ?? '');
  const [email, setEmail] = useState(agent?.email ?? '');
  const [ids, setIds] = useState<PlatformIds>(agent?.platformIds ?? {});
  const save = useMutation({
    mutationFn: () => {
      const platformIds = Object.fromEntries(fields.map((field) => [field, ids[field]?.trim() ? ids[field]!.trim() : null]));
      const body = { name: name.trim(), email: email.trim() ? email.trim() : null, platformIds };
      return agent ? api.patch<Agent>(`/agents/${agent.id}`, body) : api.post<Agent>('/agents', { ...body, siteId });
    },
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ['agents'] });
      notifications.show({ color: 'green', message: agent ? 'Agent saved' : 'Agent added' });
      onDone();
    },
  });
  const { fieldError, submit } = mutationForm(save);
  return (
    <form onSubmit={submit}>
      <Stack>
        <TextInput label="Name" required data-autofocus value={name} onChange={(e) => setName(e.currentTarget.value)} error={fieldError('name')} />
        <TextInput label="Email" type="email" value={email} onChange={(e) => setEmail(e.currentTarget.value)} error={fieldError('email')} />
        {fields.map((field) => (
          <TextInput
            key={field}
            label={PLATFORM_FIELD_LABELS[field]}
            description={`The agent's ID in the BPO's export (${field})`}
            value={ids[field] ?? ''}
            onChange={(e) => {
              const value = e.currentTarget.value;
              setIds((current) => ({ ...current, [field]: value }));
            }}
            error={fieldError(`platformIds.${field}`)}
          />
        ))}
        {save.error ? <ErrorAlert error={save.error} title="Could not save the agent" /> : null}
        <Group justify="flex-end">
          <Button variant="default" onClick={onDone}>
            Cancel
          </Button>
          <Button type="submit" loading={save.isPending} disabled={!name.trim()}>
            {agent ? 'Save agent' : 'Add agent'}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

const LINE_COLORS = { updated: 'green', unchanged: 'gray', refused: 'red' } as const;

function ImportForm({ site, fields }: { site: Site; fields: PlatformField[] }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const example = ['agent_id', ...fields].join(',');
  const [csv, setCsv] = useState('');
  const [file, setFile] = useState<File | null>(null);
  const run = useMutation({
    mutationFn: async () => api.request<ImportResult>('POST', '/agents/import', file ? await file.text() : csv),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['agents'] }),
  });
  return (
    <Stack>
      <Text size="sm">
        One line per agent: <code>agent_id</code> (the agent's ID in this console) or <code>email</code>, then one column per platform field, e.g. <code>{example}</code>. Each line is answered on its own.
      </Text>
      <FileInput label="CSV file" placeholder="Choose a .csv file" accept=".csv,text/csv" value={file} onChange={setFile} clearable />
      <Textarea
        label="…or paste the CSV"
        autosize
        minRows={4}
        value={csv}
        onChange={(e) => setCsv(e.currentTarget.value)}
        disabled={!!file}
        styles={{ input: { fontFamily: 'monospace' } }}
        placeholder={`email,${fields[0] ?? 'custom_platform_sftp'}\nana@example.com,A1001`}
      />
      <Group>
        <Button onClick={() => run.mutate()} loading={run.isPending} disabled={!file && !csv.trim()}>
          Import
        </Button>
      </Group>
      <ErrorAlert error={run.error} title="Could not import" />
      {run.data ? (
        <Card withBorder>
          <Stack gap="xs">
            <Text fw={600} role="status">
              {run.data.summary.updated} updated, {run.data.summary.unchanged} unchanged, {run.data.summary.refused} refused
            </Text>
            <Table.ScrollContainer minWidth={0} type="native" maxHeight={320}>
              <Table withTableBorder aria-label="Import answers by line">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th scope="col">Line</Table.Th>
                    <Table.Th scope="col">Answer</Table.Th>
                    <Table.Th scope="col">Details</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {run.data.lines.map((line) => (
                    <Table.Tr key={line.line}>
                      <Table.Td>{line.line}</Table.Td>
                      <Table.Td>
                        <Badge color={LINE_COLORS[line.status]} variant="light">
                          {line.status}
                        </Badge>
                      </Table.Td>
                      <Table.Td>
                        {line.reason ??
                          (line.changes
                            ? Object.entries(line.changes)
                                .map(([field, value]) => `${PLATFORM_FIELD_LABELS[field as PlatformField] ?? field}: ${value}`)
                                .join(', ')
                            : '')}
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          </Stack>
        </Card>
      ) : null}
      <Text size="xs" c="dimmed">
        Importing into {site.name}'s agents (matched by ID or email across the organization).
      </Text>
    </Stack>
  );
}
