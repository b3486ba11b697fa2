import { PlatformAgentIdFieldNames, type Platform, type PlatformAgentIdField } from '@bpo/contracts';
import { splitCsvLine, type Delimiter } from '@bpo/schedule-time';
import { platformFieldProblem, platformIdKey, takenMessage, type PlatformIds } from './platform-ids.util';

/** One data line of an import file, as read (nothing looked up yet). */
export interface ImportLine {
  /** 1-based line of the file (the header is line 1). */
  line: number;
  agentId: string | null;
  email: string | null;
  platformIds: PlatformIds;
  /** Set when the line cannot be read (wrong number of values, bad agent_id). */
  problem?: string;
}

export type ParsedImport = { ok: true; lines: ImportLine[] } | { ok: false; reason: string };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const KEY_COLUMNS = ['agent_id', 'email'] as const;

/**
 * Reads an agent import: a header with `agent_id` and/or `email` (to find each agent) and one
 * column per platform field (`nice_iex_sftp`, ...); `,` `;` or tab separated. A header problem
 * refuses the file; a line problem is kept on the line, so the other lines still go through.
 */
export function parseAgentImport(text: string): ParsedImport {
  const physical = text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/);
  const headerIndex = physical.findIndex((line) => line.trim() !== '');
  if (headerIndex < 0) return { ok: false, reason: 'the file is empty; the first line must be a header such as agent_id,nice_iex_sftp' };
  const delimiter = detectDelimiter(physical[headerIndex]);
  const header = splitCsvLine(physical[headerIndex], delimiter).map((cell) => cell.trim().toLowerCase());
  const problem = headerProblem(header);
  if (problem) return { ok: false, reason: problem };
  const lines: ImportLine[] = [];
  physical.forEach((raw, index) => {
    if (index <= headerIndex || raw.trim() === '') return;
    lines.push(readLine(header, splitCsvLine(raw, delimiter), index + 1));
  });
  return { ok: true, lines };
}

function detectDelimiter(header: string): Delimiter {
  if (header.includes(',')) return ',';
  if (header.includes(';')) return ';';
  return header.includes('\t') ? '\t' : ',';
}

function headerProblem(header: string[]): string | null {
  const duplicate = header.find((name, index) => header.indexOf(name) !== index);
  if (duplicate !== undefined) return `the header names the column "${duplicate}" twice`;
  const unknown = header.filter((name) => !(KEY_COLUMNS as readonly string[]).includes(name) && !(PlatformAgentIdFieldNames as readonly string[]).includes(name));
  if (unknown.length > 0) {
    return `unknown column(s) ${unknown.map((name) => `"${name}"`).join(', ')}; allowed: agent_id, email, ${PlatformAgentIdFieldNames.join(', ')}`;
  }
  if (!KEY_COLUMNS.some((name) => header.includes(name))) return 'the header needs an agent_id or an email column to find each agent';
  if (header.length === header.filter((name) => (KEY_COLUMNS as readonly string[]).includes(name)).length) {
    return `the header has no platform column; add one of ${PlatformAgentIdFieldNames.join(', ')}`;
  }
  return null;
}

function readLine(header: string[], cells: string[], line: number): ImportLine {
  const empty: ImportLine = { line, agentId: null, email: null, platformIds: {} };
  if (cells.length !== header.length) return { ...empty, problem: `has ${cells.length} value(s) but the header has ${header.length} column(s)` };
  const values = new Map(header.map((name, index) => [name, cells[index].trim()]));
  const agentId = values.get('agent_id') || null;
  const email = values.get('email') || null;
  const platformIds: PlatformIds = {};
  for (const field of PlatformAgentIdFieldNames) {
    const value = values.get(field);
    if (value) platformIds[field] = value;
  }
  if (!agentId && !email) return { ...empty, problem: 'has neither agent_id nor email' };
  if (agentId && !UUID.test(agentId)) return { ...empty, problem: `agent_id "${agentId}" is not an agent id (a UUID)` };
  return { line, agentId: agentId?.toLowerCase() ?? null, email, platformIds };
}

/** What the database knows about the agents and platform ids an import mentions. */
export interface ImportDirectory {
  agents: readonly { id: string; siteId: string; email: string | null; platformIds: PlatformIds }[];
  /** The platform each site is integrated with (absent: no integration). */
  sitePlatforms: ReadonlyMap<string, Platform>;
  /** Owners of platform ids the file mentions, by platformIdKey. */
  owners: ReadonlyMap<string, string>;
}

export type ImportLineResult =
  | { line: number; status: 'updated'; agentId: string; changes: PlatformIds }
  | { line: number; status: 'unchanged'; agentId: string }
  | { line: number; status: 'refused'; agentId: string | null; reason: string };

export interface PlatformIdWrite {
  agentId: string;
  siteId: string;
  field: PlatformAgentIdField;
  value: string;
}

/**
 * Decides each line on its own: finds the agent, checks each platform id against the site's
 * integration and against ids already taken (in the database or by an earlier line of the file).
 */
export function planAgentImport(lines: readonly ImportLine[], directory: ImportDirectory): { results: ImportLineResult[]; writes: PlatformIdWrite[] } {
  const byId = new Map(directory.agents.map((agent) => [agent.id, agent]));
  const byEmail = new Map<string, (typeof directory.agents)[number][]>();
  for (const agent of directory.agents) {
    if (agent.email) byEmail.set(agent.email.toLowerCase(), [...(byEmail.get(agent.email.toLowerCase()) ?? []), agent]);
  }
  const owners = new Map(directory.owners);
  const current = new Map(directory.agents.map((agent) => [agent.id, { ...agent.platformIds }]));
  const results: ImportLineResult[] = [];
  const writes: PlatformIdWrite[] = [];

  for (const line of lines) {
    const refuse = (reason: string, agentId: string | null = null) => results.push({ line: line.line, status: 'refused', agentId, reason });
    if (line.problem) {
      refuse(line.problem);
      continue;
    }
    const found = findAgent(line, byId, byEmail);
    if (typeof found === 'string') {
      refuse(found);
      continue;
    }
    const held = current.get(found.id)!;
    const changes = Object.fromEntries(Object.entries(line.platformIds).filter(([field, value]) => held[field as PlatformAgentIdField] !== value)) as PlatformIds;
    const fields = Object.keys(changes) as PlatformAgentIdField[];
    const problem =
      fields.map((field) => platformFieldProblem(field, found.siteId, directory.sitePlatforms.get(found.siteId) ?? null)).find((reason) => reason !== null) ??
      fields.map((field) => ownerProblem(owners, found, field, changes[field]!)).find((reason) => reason !== null);
    if (problem) {
      refuse(problem, found.id);
      continue;
    }
    if (fields.length === 0) {
      results.push({ line: line.line, status: 'unchanged', agentId: found.id });
      continue;
    }
    for (const field of fields) {
      const previous = held[field];
      if (previous !== undefined) owners.delete(platformIdKey(found.siteId, field, previous));
      owners.set(platformIdKey(found.siteId, field, changes[field]!), found.id);
      held[field] = changes[field];
      writes.push({ agentId: found.id, siteId: found.siteId, field, value: changes[field]! });
    }
    results.push({ line: line.line, status: 'updated', agentId: found.id, changes });
  }
  return { results, writes };
}

type DirectoryAgent = ImportDirectory['agents'][number];

function findAgent(line: ImportLine, byId: Map<string, DirectoryAgent>, byEmail: Map<string, DirectoryAgent[]>): DirectoryAgent | string {
  if (line.agentId) {
    const agent = byId.get(line.agentId);
    if (!agent) return `no agent ${line.agentId} in this organization`;
    if (line.email && agent.email?.toLowerCase() !== line.email.toLowerCase()) return `agent ${line.agentId} does not have the email ${line.email}`;
    return agent;
  }
  const matches = byEmail.get(line.email!.toLowerCase()) ?? [];
  if (matches.length === 0) return `no agent with the email ${line.email} in this organization`;
  if (matches.length > 1) return `${matches.length} agents have the email ${line.email}; use agent_id instead`;
  return matches[0];
}

function ownerProblem(owners: Map<string, string>, agent: DirectoryAgent, field: PlatformAgentIdField, value: string): string | null {
  const owner = owners.get(platformIdKey(agent.siteId, field, value));
  return owner && owner !== agent.id ? takenMessage(field, value, owner) : null;
}
