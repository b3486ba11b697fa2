import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as iconv from 'iconv-lite';
import { parseCheckArgs, runCli } from './file-check';

const work = mkdtempSync(join(tmpdir(), 'bpo-sync-check-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function file(name: string, content: string | Buffer): string {
  const path = join(work, name);
  writeFileSync(path, content);
  return path;
}

const NOW = new Date('2026-11-25T10:00:00Z');

async function run(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, { write: (text: string) => (stdout += text) }, { write: (text: string) => (stderr += text) }, NOW);
  return { code, stdout, stderr };
}

const custom = [
  'agent_id,start_time,end_time,activity',
  'A1,2026-12-01T09:00:00,2026-12-01T17:00:00,Phones',
  'A2,2026-12-01T22:00:00,2026-12-02T06:00:00,Phones',
  'A1,yesterday,2026-12-03T17:00:00,Phones',
  'A3,2026-12-04T09:00:00,2026-12-04T08:00:00,Chat',
  'A3,2026-12-04T09:00:00,2026-12-04T17:00:00,Chat',
].join('\n');

describe('bpo-sync check', () => {
  it('prints every row error with its line, then rows, window, days and agents; exit 1', async () => {
    const { code, stdout } = await run('check', '--platform', 'custom', '--timezone', 'America/New_York', file('errors.csv', custom));
    expect(code).toBe(1);
    expect(stdout.split('\n')).toEqual([
      expect.stringMatching(/^line 4, start_time: invalid_time: /),
      expect.stringMatching(/^line 5, end_time: end_not_after_start: /),
      expect.stringMatching(/errors\.csv: 5 rows, 2 with errors$/),
      'window: 2026-12-01 to 2026-12-04 (4 days, 2 with rows)',
      'agents: 3',
      '',
    ]);
  });

  it('exit 0 for a clean file; --json for machines', async () => {
    const clean = file('clean.csv', custom.split('\n').filter((_, index) => index !== 3 && index !== 4).join('\n'));
    const { code, stdout } = await run('check', '--json', '--platform', 'custom', '--timezone', 'America/New_York', clean);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({ file: clean, failure: null, rows: 3, rowErrors: 0, window: { from: '2026-12-01', to: '2026-12-04' }, windowDays: 4, daysWithRows: 2, agents: 3, errors: [] });
  });

  it('exit 2 when the file fails as a whole, with the reason', async () => {
    const { code, stdout } = await run('check', '--platform', 'custom', '--timezone', 'America/New_York', file('no-activity.csv', 'agent_id,start_time,end_time\nA1,2026-12-01T09:00:00,2026-12-01T10:00:00\n'));
    expect(code).toBe(2);
    expect(stdout).toContain('the file fails as a whole: line 1: the header lacks required');
  });

  it('reads the integration’s settings: title lines, encoding, date order, time zones, the horizon', async () => {
    const iex = iconv.encode(
      'Agent Schedule Detail\r\n#fields:muID|tvID|name|schedDate|excDate|excCode|excName|startTime|stopTime\r\n' +
        '100|40117|Jörg|12012026|12012026|OPEN|Open|8:00 AM|4:30 PM\r\n100|40118|Ana|12012099|12012099|OPEN|Open|8:00 AM|4:30 PM\r\n',
      'windows-1252',
    );
    const path = file('iex.csv', iex);
    const { code, stdout } = await run('check', '--json', '--platform', 'nice_iex', '--timezone', 'America/Chicago', '--site-timezone', 'Europe/Berlin', '--encoding', 'windows-1252', '--title-lines', '1', path);
    expect(code).toBe(1);
    const report = JSON.parse(stdout);
    expect(report).toMatchObject({ rows: 2, rowErrors: 1, window: { from: '2026-12-01', to: '2026-12-01' }, agents: 1 });
    expect(report.errors).toEqual([expect.objectContaining({ line: 4, code: 'date_out_of_range' })]);
    // Read as UTF-8 the same bytes fail the file: "Jörg" is not UTF-8.
    expect((await run('check', '--platform', 'nice_iex', '--timezone', 'America/Chicago', '--title-lines', '1', path)).code).toBe(2);
  });

  it.each([
    [[], 'usage: bpo-sync check'],
    [['check', '--timezone', 'America/Chicago', 'x.csv'], '--platform must be one of'],
    [['check', '--platform', 'custom', '--timezone', 'Mars/Olympus', 'x.csv'], '--timezone must be an IANA time zone'],
    [['check', '--platform', 'custom', '--timezone', 'UTC'], 'name the file to check'],
    [['check', '--platform', 'custom', '--timezone', 'UTC', '--date-order', 'DD.MM.YYYY', 'x.csv'], '--date-order must be one of'],
    [['check', '--platform', 'custom', '--timezone', 'UTC', '--bogus', 'x.csv'], "Unknown option '--bogus'"],
    [['check', '--platform', 'custom', '--timezone', 'UTC', join(work, 'missing.csv')], 'cannot read'],
    [['sync', 'x.csv'], 'unknown command "sync"'],
  ])('bad arguments %j: exit 2 with the reason and the usage', async (argv, reason) => {
    const { code, stderr } = await run(...(argv as string[]));
    expect(code).toBe(2);
    expect(stderr).toContain(reason);
  });

  it('defaults the site zone to --timezone and the date order to the platform’s', () => {
    const { settings } = parseCheckArgs(['--platform', 'nice_iex', '--timezone', 'America/Chicago', 'f.csv'], NOW);
    expect(settings).toMatchObject({ siteTimezone: 'America/Chicago', dateOrder: 'MMDDYYYY', encoding: 'utf-8', titleLines: 0, receivedAt: NOW.getTime() });
  });
});

describe('bpo-sync as a command (bin/bpo-sync.js, a child process, no Kafka or PostgreSQL)', () => {
  const bin = resolve(__dirname, '../../../bin/bpo-sync.js');
  const exec = (...argv: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((done) => {
      execFile(process.execPath, [bin, ...argv], { env: { PATH: process.env.PATH ?? '' }, timeout: 60_000 }, (error, stdout, stderr) =>
        done({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
      );
    });

  it('checks a real file and answers by exit code', async () => {
    const path = file('command.csv', custom);
    const text = await exec('check', '--platform', 'custom', '--timezone', 'America/New_York', '--received-at', NOW.toISOString(), path);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain('line 4, start_time: invalid_time');
    expect(text.stdout).toContain('agents: 3');
    const json = await exec('check', '--json', '--platform', 'custom', '--timezone', 'America/New_York', path);
    expect(JSON.parse(json.stdout)).toMatchObject({ rows: 5, rowErrors: 2 });
    expect((await exec('check', '--platform', 'custom', path)).code).toBe(2);
  }, 60_000);
});
