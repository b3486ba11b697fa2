import type { MatchType, Platform, PlatformField, Priority, SyncStatus } from '../api/api.types';

export const STATUS_LABELS: Record<SyncStatus, string> = {
  processing: 'Processing',
  succeeded: 'Synced',
  succeeded_with_errors: 'Synced with errors',
  failed: 'Failed',
  superseded: 'Superseded',
};

export const STATUS_COLORS: Record<SyncStatus, string> = {
  processing: 'blue',
  succeeded: 'green',
  succeeded_with_errors: 'yellow',
  failed: 'red',
  superseded: 'gray',
};

export const MATCH_TYPE_LABELS: Record<MatchType, string> = {
  exact: 'is exactly',
  pattern: 'matches the pattern',
  contains: 'contains',
  starts_with: 'starts with',
};

export const PRIORITY_LABELS: Record<Priority, string> = {
  highest: 'Highest',
  high: 'High',
  medium: 'Medium',
  low: 'Low',
  lowest: 'Lowest',
};

export const PRIORITY_ORDER: Priority[] = ['highest', 'high', 'medium', 'low', 'lowest'];

export const PLATFORM_FIELDS: Record<Platform, PlatformField> = {
  custom: 'custom_platform_sftp',
  nice_iex: 'nice_iex_sftp',
  verint: 'verint_sftp',
  injixo: 'injixo_sftp',
  alvaria: 'alvaria_sftp',
};

export const PLATFORM_FIELD_LABELS: Record<PlatformField, string> = {
  custom_platform_sftp: 'Custom platform ID',
  nice_iex_sftp: 'NICE IEX ID',
  verint_sftp: 'Verint ID',
  injixo_sftp: 'Injixo ID',
  alvaria_sftp: 'Alvaria ID',
};

/** A moment as date and time in a time zone (the site's), e.g. "Dec 1, 2026, 09:00". */
export function formatDateTime(iso: string | null | undefined, timeZone?: string): string {
  if (!iso) return '—';
  return new Intl.DateTimeFormat('en-US', { timeZone, dateStyle: 'medium', timeStyle: 'short', hourCycle: 'h23' }).format(new Date(iso));
}

/** A moment's clock time in a time zone, e.g. "22:00". */
export function formatTime(iso: string, timeZone?: string): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(iso));
}

/** The calendar day (YYYY-MM-DD) of a moment in a time zone. */
export function dayIn(iso: string | Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(typeof iso === 'string' ? new Date(iso) : iso);
}

/** A YYYY-MM-DD day moved by whole days. */
export function addDays(day: string, days: number): string {
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}

/** "Mon, Dec 1" for a YYYY-MM-DD day. */
export function formatDay(day: string): string {
  return new Intl.DateTimeFormat('en-US', { timeZone: 'UTC', weekday: 'short', month: 'short', day: 'numeric' }).format(new Date(`${day}T00:00:00Z`));
}

export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  if (ms < 1000) return `${ms} ms`;
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes} min ${Math.round(seconds - minutes * 60)} s`;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export interface DayCell {
  events: { id: string; start: string; end: string; type: string; color: string | null }[];
}

export interface AgentRow {
  agentId: string;
  agentName: string;
  days: Record<string, DayCell>;
}

/**
 * Events grouped for the schedule table: one row per agent (by name), one cell per day (the
 * event's `day`, its start's date in the site's time zone), events in start order, times shown in
 * the site's zone.
 */
export function eventsByAgentAndDay(
  events: { id: string; agent: { id: string; name: string }; eventType: { name: string; color: string | null }; startAt: string; endAt: string; day: string }[],
  timeZone: string,
): AgentRow[] {
  const rows = new Map<string, AgentRow>();
  const sorted = [...events].sort((a, b) => a.startAt.localeCompare(b.startAt));
  for (const event of sorted) {
    let row = rows.get(event.agent.id);
    if (!row) {
      row = { agentId: event.agent.id, agentName: event.agent.name, days: {} };
      rows.set(event.agent.id, row);
    }
    const cell = (row.days[event.day] ??= { events: [] });
    cell.events.push({ id: event.id, start: formatTime(event.startAt, timeZone), end: formatTime(event.endAt, timeZone), type: event.eventType.name, color: event.eventType.color });
  }
  return [...rows.values()].sort((a, b) => a.agentName.localeCompare(b.agentName));
}
