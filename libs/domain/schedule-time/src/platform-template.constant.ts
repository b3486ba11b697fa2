import type { Platform } from '@bpo/contracts';

/**
 * Order of day, month and year in a file's dates. It is a setting of the integration: `01/02/2025`
 * cannot be told apart from its contents. ISO dates (`2025-01-02`, or anything with a `T`) are
 * accepted whatever the order, because they cannot be misread.
 */
export const DateOrders = ['MM/DD/YYYY', 'DD/MM/YYYY', 'YYYY-MM-DD', 'YYYYMMDD', 'MMDDYYYY'] as const;
export type DateOrder = (typeof DateOrders)[number];

export function isDateOrder(value: unknown): value is DateOrder {
  return typeof value === 'string' && (DateOrders as readonly string[]).includes(value);
}

export const Delimiters = [',', ';', '|', '\t'] as const;
export type Delimiter = (typeof Delimiters)[number];

/** What a column means to us, whatever each platform calls it. */
export const ColumnKeys = [
  'agentId',
  'agentName',
  'organizationUnit',
  'scheduleDate',
  'segmentDate',
  'activity',
  'activityName',
  'start',
  'end',
  'durationMinutes',
  'timeZone',
] as const;
export type ColumnKey = (typeof ColumnKeys)[number];

export interface TemplateColumn {
  readonly key: ColumnKey;
  /** The name the platform's export uses; the downloadable template is written with it. */
  readonly header: string;
  /** Other names seen in exports; matched ignoring case, spaces and punctuation. */
  readonly aliases: readonly string[];
  readonly required: boolean;
  readonly description: string;
}

export interface PlatformTemplate {
  readonly platform: Platform;
  readonly name: string;
  /** The delimiter the platform writes; files with another one are still read (see detectDelimiter). */
  readonly delimiter: Delimiter;
  readonly columns: readonly TemplateColumn[];
  /** Groups of which at least one column must be in the header (an end can be a stop time or a length). */
  readonly requireOneOf: readonly (readonly ColumnKey[])[];
  /** Two rows in the template's column order; the second one is an overnight shift. */
  readonly exampleRows: readonly (readonly string[])[];
  /** The date order the platform writes by default: what config screens should suggest. */
  readonly defaultDateOrder: DateOrder;
  /** NICE IEX may name its columns in a first line starting with `#fields`. */
  readonly hasFieldsLine?: boolean;
}

const END_OR_LENGTH: readonly ColumnKey[] = ['end', 'durationMinutes'];

function column(key: ColumnKey, header: string, aliases: readonly string[], required: boolean, description: string): TemplateColumn {
  return { key, header, aliases, required, description };
}

const custom: PlatformTemplate = {
  platform: 'custom',
  name: 'Custom platform',
  delimiter: ',',
  defaultDateOrder: 'YYYY-MM-DD',
  columns: [
    column('agentId', 'agent_id', ['platform_agent_id', 'employee_id'], true, 'The agent ID in your platform (the agent field custom_platform_sftp).'),
    column('agentName', 'agent_name', ['name', 'employee_name'], false, 'Agent name, shown in error reports only.'),
    column('start', 'start_time', ['start', 'start_at', 'starts_at'], true, 'ISO 8601 date-time; without an offset it is read in the integration time zone.'),
    column('end', 'end_time', ['end', 'end_at', 'ends_at', 'stop'], true, 'ISO 8601 date-time, after start_time.'),
    column('activity', 'activity', ['activity_name', 'activity_code', 'event', 'state'], true, 'Activity keyword, mapped to an event type by the mapping rules.'),
  ],
  requireOneOf: [],
  exampleRows: [
    ['A-1001', 'Rivera, Ana', '2025-11-03T08:00:00', '2025-11-03T16:30:00', 'Phone'],
    ['A-1002', 'Li Wei', '2025-11-03T22:00:00-05:00', '2025-11-04T06:00:00-05:00', 'Phone'],
  ],
};

const niceIex: PlatformTemplate = {
  platform: 'nice_iex',
  name: 'NICE IEX',
  delimiter: '|',
  defaultDateOrder: 'MMDDYYYY',
  hasFieldsLine: true,
  columns: [
    column('organizationUnit', 'muID', ['mu', 'management unit'], false, 'Management unit; not used.'),
    column('agentId', 'tvID', ['Logon ID', 'agent id', 'ID'], true, 'Agent ID (the agent field nice_iex_sftp).'),
    column('agentName', 'name', ['agent name', 'employee name'], false, 'Agent name, shown in error reports only.'),
    column('scheduleDate', 'schedDate', ['schedule date', 'date'], true, 'The day the shift belongs to.'),
    column('segmentDate', 'excDate', ['exception date', 'segment date'], false, 'The date the segment happens on (the day after schedDate past midnight); schedDate when absent.'),
    column('activity', 'excCode', ['activity', 'exception', 'code', 'exception code', 'activity code'], true, 'Activity / exception code, mapped to an event type.'),
    column('activityName', 'excName', ['exception name', 'description', 'activity name'], false, 'Activity / exception name; not used.'),
    column('start', 'startTime', ['start', 'exc start'], true, 'Local start time, 24-hour (08:00) or 12-hour (8:00 AM).'),
    column('end', 'stopTime', ['stop', 'end', 'end time'], false, 'Local stop time; a stop not after the start is on the next day. Either this or lengthMinutes.'),
    column('durationMinutes', 'lengthMinutes', ['length', 'duration', 'minutes'], false, 'Length in minutes, used when stopTime is absent or blank.'),
    column('timeZone', 'TZ', ['time zone', 'mu time zone', 'mu tz'], false, 'The management unit time zone (IANA name or UTC offset); the integration time zone when blank.'),
  ],
  requireOneOf: [END_OR_LENGTH],
  exampleRows: [
    ['100', '40117', 'Garcia, Maria', '11032025', '11032025', 'OPEN', 'Open', '8:00 AM', '4:30 PM', '510', 'America/New_York'],
    ['100', '40118', "O'Brien, Sean", '11032025', '11032025', 'OPEN', 'Open', '22:00', '06:00', '480', 'America/New_York'],
  ],
};

const verint: PlatformTemplate = {
  platform: 'verint',
  name: 'Verint',
  delimiter: '|',
  defaultDateOrder: 'MM/DD/YYYY',
  columns: [
    column('agentId', 'Employee ID', ['Emp ID', 'Agent ID'], true, 'Employee ID (the agent field verint_sftp).'),
    column('agentName', 'Employee Name', ['Name', 'Agent Name', 'Employee'], false, 'Employee name, shown in error reports only.'),
    column('organizationUnit', 'Organization', ['Organisation', 'Org'], false, 'Organization; not used.'),
    column('activity', 'Activity', ['Shift Event', 'Event', 'Activity Name', 'Work Activity'], true, 'Activity, mapped to an event type.'),
    column('start', 'Start', ['Start Time', 'Start Date Time'], true, 'Start date and time, local (or with a UTC offset).'),
    column('end', 'End', ['End Time', 'End Date Time', 'Stop'], false, 'End date and time, after Start. Either this or Duration.'),
    column('durationMinutes', 'Duration', ['Duration Minutes', 'Duration (min)', 'Length', 'Minutes'], false, 'Duration in minutes, used when End is absent or blank.'),
    column('timeZone', 'Time Zone', ['TZ', 'Employee Time Zone'], false, 'IANA name or UTC offset; the integration time zone when blank.'),
  ],
  requireOneOf: [END_OR_LENGTH],
  exampleRows: [
    ['10452', 'Smith, John', 'Tier 1 Support', 'Phone', '11/03/2025 08:00', '11/03/2025 16:30', '510', 'America/Chicago'],
    ['10453', 'Patel, Priya', 'Tier 1 Support', 'Phone', '11/03/2025 10:00 PM', '11/04/2025 6:00 AM', '480', 'America/Chicago'],
  ],
};

const injixo: PlatformTemplate = {
  platform: 'injixo',
  name: 'Injixo',
  delimiter: ';',
  defaultDateOrder: 'DD/MM/YYYY',
  columns: [
    column('agentId', 'Personnel number', ['Personnel No', 'Personnel ID', 'Employee number', 'Agent ID'], true, 'Personnel number (the agent field injixo_sftp).'),
    column('agentName', 'Employee name', ['Name', 'Employee', 'Agent name'], false, 'Employee name, shown in error reports only.'),
    column('organizationUnit', 'Planning unit', ['Planning group', 'Unit'], false, 'Planning unit; not used.'),
    column('activity', 'Activity', ['Activity name', 'Activity type'], true, 'Activity, mapped to an event type.'),
    column('start', 'Start', ['Start time', 'Begin', 'From'], true, 'Start date and time, local or with a UTC offset.'),
    column('end', 'End', ['End time', 'Until', 'To'], false, 'End date and time, after Start. Either this or Duration (min).'),
    column('durationMinutes', 'Duration (min)', ['Duration', 'Duration minutes', 'Minutes', 'Length'], false, 'Duration in minutes, used when End is absent or blank.'),
    column('timeZone', 'Time zone', ['TZ'], false, 'IANA name or UTC offset; the integration time zone when blank.'),
  ],
  requireOneOf: [END_OR_LENGTH],
  exampleRows: [
    ['P-2001', 'Müller, Anna', 'Service Desk DE', 'Telephone', '03/11/2025 08:00', '03/11/2025 16:30', '510', 'Europe/Berlin'],
    ['P-2002', 'Schmidt, Jonas', 'Service Desk DE', 'Telephone', '03/11/2025 22:00', '04/11/2025 06:00', '480', 'Europe/Berlin'],
  ],
};

const alvaria: PlatformTemplate = {
  platform: 'alvaria',
  name: 'Alvaria',
  delimiter: ',',
  defaultDateOrder: 'MM/DD/YYYY',
  columns: [
    column('agentId', 'Employee ID', ['Emp ID', 'Agent ID'], true, 'Employee ID (the agent field alvaria_sftp).'),
    column('agentName', 'Employee Name', ['Name', 'Agent Name'], false, 'Employee name, shown in error reports only.'),
    column('organizationUnit', 'Management Unit', ['MU', 'MU ID', 'MU Name'], false, 'Management unit; not used.'),
    column('scheduleDate', 'Nominal Date', ['Nominal', 'Schedule Date', 'Date'], true, 'The day the shift belongs to, even past midnight; start and stop times without a date are placed on it.'),
    column('activity', 'Segment Code', ['Segment', 'Activity', 'Segment Type', 'Code'], true, 'Segment code, mapped to an event type.'),
    column('start', 'Start', ['Start Time', 'Segment Start'], true, 'Start time (placed on Nominal Date) or date and time.'),
    column('end', 'Stop', ['End', 'Stop Time', 'End Time', 'Segment Stop'], false, 'Stop time (next day when not after Start) or date and time. Either this or Duration.'),
    column('durationMinutes', 'Duration', ['Duration Minutes', 'Length', 'Minutes'], false, 'Duration in minutes, used when Stop is absent or blank.'),
    column('timeZone', 'Time Zone', ['TZ'], false, 'IANA name or UTC offset; the integration time zone when blank.'),
  ],
  requireOneOf: [END_OR_LENGTH],
  exampleRows: [
    ['E-3001', 'Nguyen, Anh', 'MU East', '11/03/2025', 'OPEN', '08:00', '16:30', '510', 'America/Chicago'],
    ['E-3002', 'Okafor, Chidi', 'MU East', '11/03/2025', 'OPEN', '22:00', '06:00', '480', 'America/Chicago'],
  ],
};

const templates: Record<Platform, PlatformTemplate> = {
  custom,
  nice_iex: niceIex,
  verint,
  injixo,
  alvaria,
};

/** The column layout each platform's schedule export is read with. */
export function templateFor(platform: Platform): PlatformTemplate {
  return templates[platform];
}
