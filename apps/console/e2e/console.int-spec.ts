import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import {
  createTestDatabase,
  expectEventually,
  freePort,
  generateClientKey,
  sftpBatch,
  startServiceProcess,
  uniqueName,
  type ServiceProcess,
  type TestDatabase,
} from '@bpo/testing';

// The console in a real browser (Debian's Chromium, headless, driven by playwright-core) against
// the real stack: every service its own process, the console served by config-api at /console.
// A manager sets up an integration from nothing, the BPO uploads with OpenSSH sftp, the manager
// reads the sync report and sees the events. Each main page is saved as a screenshot
// (CONSOLE_SCREENSHOT_DIR, default .data/console-screenshots; docs/console holds the README's).

const repoRoot = join(__dirname, '..', '..', '..');
const SERVICES = ['sftp-ingest', 'parser', 'mapping', 'agent-resolution', 'schedule-writer', 'config-api'] as const;
const OPERATOR_TOKEN = `operator-${'x'.repeat(32)}`;
const ZONE = 'America/New_York';
const screenshotDir = join(repoRoot, process.env.CONSOLE_SCREENSHOT_DIR ?? '.data/console-screenshots');

/** A calendar day in the site's zone, `offset` days from today. */
function dayFromToday(offset: number): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: ZONE, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(Date.now() + offset * 86_400_000));
}

describe('console: a manager sets up a BPO integration from nothing and sees its first sync', () => {
  let database: TestDatabase;
  const services = new Map<string, ServiceProcess>();
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let consoleUrl: string;
  let sftpPort: number;
  const workDir = mkdtempSync(join(tmpdir(), 'console-e2e-'));
  const pageErrors: string[] = [];

  beforeAll(async () => {
    mkdirSync(screenshotDir, { recursive: true });
    database = await createTestDatabase();
    const namespace = uniqueName('console');
    sftpPort = await freePort();
    const env: Record<string, Record<string, string>> = {
      'sftp-ingest': { SFTP_PORT: String(sftpPort), SFTP_HOST_KEY_PATH: join(workDir, 'host_key') },
      'config-api': { OPERATOR_TOKEN, SFTP_PUBLIC_PORT: String(sftpPort), CONSOLE_DIR: join(repoRoot, 'dist', 'apps', 'console') },
    };
    const [started] = await Promise.all([
      Promise.all(SERVICES.map((name) => startServiceProcess(name, { databaseUrl: database.url, namespace, env: env[name] }))),
      chromium
        .launch({
          executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
          // As root the sandbox must be off; the rest keeps Chromium off the (closed) network.
          args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
        })
        .then((launched) => (browser = launched)),
    ]);
    for (const service of started) services.set(service.name, service);
    consoleUrl = `${services.get('config-api')!.url}/console/`;
    context = await browser.newContext({ viewport: { width: 1280, height: 860 }, timezoneId: ZONE, acceptDownloads: true });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: services.get('config-api')!.url });
    page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.setDefaultTimeout(15_000);
  }, 150_000);

  afterAll(async () => {
    await browser?.close();
    await Promise.all([...services.values()].map((service) => service.stop()));
    await database?.drop();
    rmSync(workDir, { recursive: true, force: true });
  });

  // The whole page at once (the window made as tall as the page, so the fixed header stays on top),
  // without the passing notifications.
  const shot = async (name: string) => {
    const size = page.viewportSize()!;
    const height = await page.evaluate(() => document.documentElement.scrollHeight);
    await page.setViewportSize({ width: size.width, height: Math.min(Math.max(size.height, height), 2400) });
    await page.screenshot({ path: join(screenshotDir, `${name}.png`), animations: 'disabled', style: '.mantine-Notifications-root { display: none !important; }' });
    await page.setViewportSize(size);
  };
  const chooseOption = async (label: string, option: string, scope: Page | ReturnType<Page['getByRole']> = page) => {
    await scope.getByRole('combobox', { name: label, exact: true }).click();
    await page.getByRole('option', { name: option, exact: true }).click();
  };
  const dialog = () => page.getByRole('dialog');
  const nav = () => page.getByRole('navigation', { name: 'Main' });

  it('signs in, sets up, receives a file over SFTP, and shows the report and the events', async () => {
    try {
      await walkThrough();
    } catch (error) {
      await shot('failure').catch(() => undefined);
      if (pageErrors.length && error instanceof Error) error.message += `\nerrors in the page:\n${pageErrors.join('\n')}`;
      throw error;
    }
  });

  async function walkThrough(): Promise<void> {
    // Sign-in: a wrong token is answered in plain words; the operator token creates an organization.
    await page.goto(consoleUrl);
    await page.getByLabel('Organization token').fill('not-a-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toContain('The bearer token is unknown or was revoked.');
    await shot('sign-in');
    await page.getByLabel('Organization token').fill(OPERATOR_TOKEN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByLabel('Organization name').fill('Acme');
    await page.getByLabel('Time zone').fill(ZONE);
    await page.getByRole('button', { name: 'Create organization' }).click();
    const adminToken = (await page.getByTestId('value-admin-token').textContent())!;
    expect(adminToken).toMatch(/^bpo_/);
    await page.getByRole('button', { name: 'Sign in to Acme' }).click();

    // Schedule Integrations: empty, then a BPO site (created from the page).
    await page.getByRole('heading', { name: 'Schedule Integrations' }).waitFor();
    await page.getByText('No site is marked as a BPO yet').waitFor();
    await page.getByRole('button', { name: 'Create site' }).click();
    await dialog().getByLabel('Site name').fill('Manila BPO');
    await dialog().getByLabel('Time zone').fill(ZONE);
    await dialog().getByRole('button', { name: 'Create site' }).click();
    const row = page.getByRole('row', { name: /Manila BPO/ });
    await row.getByText('Not connected').waitFor();

    // Setup: platform, Connect, the instructions with the password shown once, a public key.
    await row.getByRole('link', { name: 'Set up Manila BPO' }).click();
    await chooseOption('WFM platform', 'Custom platform');
    await page.getByRole('button', { name: 'Connect' }).click();
    await page.getByRole('heading', { name: 'Custom platform instructions' }).waitFor();
    const username = (await page.getByTestId('value-username').textContent())!;
    expect(username).toMatch(/\S/);
    expect(await page.getByTestId('value-port').textContent()).toBe(String(sftpPort));
    const firstPassword = (await page.getByTestId('value-password').textContent())!;
    expect(firstPassword.length).toBeGreaterThanOrEqual(16);
    await page.getByRole('button', { name: 'Rotate credentials' }).click();
    await dialog().getByRole('button', { name: 'Rotate', exact: true }).click();
    await dialog().waitFor({ state: 'detached' });
    await expectEventually(async () => expect(await page.getByTestId('value-password').textContent()).not.toBe(firstPassword));
    await page.getByRole('button', { name: 'Copy username' }).click();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(username);
    const key = generateClientKey(workDir, 'bpo-key');
    await page.getByLabel('Add a public key').fill(key.line);
    await page.getByRole('button', { name: 'Add key' }).click();
    await page.getByRole('table', { name: 'Public keys' }).getByText(key.fingerprint).waitFor();
    await page.getByRole('button', { name: 'Download template CSV' }).first().waitFor();
    const download = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download template CSV' }).click()]).then(([d]) => d);
    expect(download.suggestedFilename()).toBe('custom-template.csv');
    await shot('setup');

    // Event mapping: event types, two rules, and the live preview.
    await page.getByRole('tab', { name: 'Event mapping' }).click();
    await page.getByText('No rules yet').waitFor();
    for (const name of ['Phones', 'Break']) {
      await page.getByRole('button', { name: 'New event type' }).first().click();
      await dialog().getByLabel('Event type name').fill(name);
      await dialog().getByRole('button', { name: 'Create event type' }).click();
      await dialog().waitFor({ state: 'detached' });
    }
    for (const [matchType, keyword, priority, eventType] of [
      ['contains', 'phone', 'High', 'Phones'],
      ['starts with', 'BRK', 'Highest', 'Break'],
    ]) {
      await page.getByRole('button', { name: 'Add rule' }).click();
      await chooseOption('Match type', matchType, dialog());
      await dialog().getByLabel('Keyword').fill(keyword);
      await chooseOption('Priority', priority, dialog());
      await chooseOption('Event type', eventType, dialog());
      await dialog().getByRole('button', { name: 'Add rule' }).click();
      await dialog().waitFor({ state: 'detached' });
    }
    const rules = page.getByRole('table', { name: 'Mapping rules' });
    await rules.getByText('BRK').waitFor();
    await rules.getByRole('button', { name: 'Edit rule phone' }).click();
    await chooseOption('Priority', 'Medium', dialog());
    await dialog().getByRole('button', { name: 'Save rule' }).click();
    await dialog().waitFor({ state: 'detached' });
    await rules.getByRole('row', { name: /contains phone Medium Phones/ }).waitFor();
    await page.getByLabel('Activities').fill('Phones\nBRK-15\nCoaching');
    const preview = page.getByRole('table', { name: 'Mapping preview' });
    await preview.getByRole('row', { name: /Coaching.*Unmapped/ }).waitFor();
    await preview.getByRole('row', { name: /BRK-15.*Rule.*Break/ }).waitFor();
    await shot('event-mapping');

    // Agents: one added by hand, then a CSV import answered line by line.
    await nav().getByRole('link', { name: 'Agents' }).click();
    await page.getByText('No agents at this site yet').waitFor();
    await page.getByRole('button', { name: 'Add agent' }).click();
    await dialog().getByLabel(/^Name/).fill('Ana Reyes');
    await dialog().getByLabel('Email').fill('ana@example.com');
    await dialog().getByLabel('Custom platform ID').fill('A1001');
    await dialog().getByRole('button', { name: 'Add agent' }).click();
    await dialog().waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Add agent' }).click();
    await dialog().getByLabel(/^Name/).fill('Jörg Müller');
    await dialog().getByLabel('Email').fill('jorg@example.com');
    await dialog().getByRole('button', { name: 'Add agent' }).click();
    await dialog().waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Import CSV' }).click();
    await dialog().getByLabel('…or paste the CSV').fill('email,custom_platform_sftp\njorg@example.com,A1002\nana@example.com,A1001\nnobody@example.com,A1003');
    await dialog().getByRole('button', { name: 'Import', exact: true }).click();
    await dialog().getByText('1 updated, 1 unchanged, 1 refused').waitFor();
    const answers = dialog().getByRole('table', { name: 'Import answers by line' });
    await answers.getByRole('row', { name: /^2 updated/ }).waitFor();
    await answers.getByRole('row', { name: /^4 refused/ }).waitFor();
    await shot('agents-import');
    await page.keyboard.press('Escape');
    await page.getByRole('table', { name: /Agents of/ }).getByRole('row', { name: /Jörg Müller.*A1002/ }).waitFor();
    await shot('agents');

    // The BPO uploads a file with OpenSSH sftp, logging in with its key.
    const d1 = dayFromToday(2);
    writeFileSync(
      join(workDir, 'export.csv'),
      [
        'agent_id,agent_name,start_time,end_time,activity',
        `A1001,Ana Reyes,${d1}T09:00:00,${d1}T12:00:00,Phones`,
        `A1001,Ana Reyes,${d1}T12:00:00,${d1}T12:15:00,BRK-15`,
        `A1002,"Müller, Jörg",${d1}T22:00:00,${dayFromToday(3)}T06:00:00,Inbound phone`,
        `ZZ9,Nobody,${d1}T09:00:00,${d1}T17:00:00,Phones`,
      ].join('\r\n'),
    );
    const upload = await sftpBatch({ port: sftpPort, username, key, cwd: workDir, commands: ['put export.csv schedule_20261201T0700.csv'] });
    expect(upload).toMatchObject({ code: 0 });

    // Sync status: the file, its report with the row error, then the events by agent and day.
    await nav().getByRole('link', { name: 'Schedule Integrations' }).click();
    await page.getByRole('row', { name: /Manila BPO/ }).getByRole('link', { name: 'Open Manila BPO' }).click();
    await page.getByRole('tab', { name: 'Sync status' }).click();
    const files = page.getByRole('table', { name: 'Files received, newest first' });
    await expectEventually(
      async () => {
        if (!(await files.isVisible()) || !(await files.getByText('Synced with errors').isVisible())) {
          await page.getByRole('button', { name: 'Refresh' }).click();
          throw new Error('the file has not synced yet');
        }
      },
      { timeoutMs: 60_000, intervalMs: 1000 },
    );
    await shot('sync-status');
    await files.getByRole('link', { name: 'schedule_20261201T0700.csv' }).click();
    await page.getByRole('heading', { name: 'Row errors (1)' }).waitFor();
    expect(await page.getByTestId('count-rows').textContent()).toBe('4');
    expect(await page.getByTestId('count-created').textContent()).toBe('3');
    await page.getByRole('table', { name: 'Row errors' }).getByRole('row', { name: /unknown_agent.*ZZ9/ }).waitFor();
    const original = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download original' }).click()]).then(([d]) => d);
    expect(original.suggestedFilename()).toBe('schedule_20261201T0700.csv');
    await shot('file-report');

    await page.getByRole('link', { name: /Sync status/ }).click();
    await page.getByRole('tab', { name: 'Schedule' }).click();
    const events = page.getByRole('table', { name: /Events by agent and day/ });
    await events.getByRole('row', { name: /Ana Reyes.*09:00–12:00.*Phones.*12:00–12:15.*Break/ }).waitFor();
    await events.getByRole('row', { name: /Jörg Müller.*22:00–06:00.*Phones/ }).waitFor();
    await shot('schedule');
    // The same events as a timeline of one day (the file's first day), in the site's zone.
    await page.getByText('Timeline', { exact: true }).click();
    await chooseOption('Day', new Intl.DateTimeFormat('en-US', { timeZone: 'UTC', weekday: 'short', month: 'short', day: 'numeric' }).format(new Date(`${d1}T00:00:00Z`)));
    const timeline = page.getByRole('region', { name: /^Timeline of .*, times in / });
    await timeline.getByRole('listitem', { name: 'Phones, 09:00 to 12:00' }).waitFor();
    await timeline.getByRole('listitem', { name: 'Break, 12:00 to 12:15' }).waitFor();
    await timeline.getByRole('listitem', { name: 'Phones, 22:00 to 06:00 the next day' }).waitFor();
    await shot('schedule-timeline');
    await page.getByText('Table', { exact: true }).click();

    // A narrow window: the navigation folds behind a labelled button, and works by keyboard.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByRole('button', { name: 'Open navigation' }).focus();
    await page.keyboard.press('Enter');
    await nav().getByRole('link', { name: 'Schedule Integrations' }).click();
    await page.getByRole('row', { name: /Manila BPO.*Synced with errors/ }).waitFor();
    await shot('schedule-integrations-narrow');
    await page.setViewportSize({ width: 1280, height: 860 });
    await shot('schedule-integrations');
    expect(await page.title()).toBe('Schedule Integrations · BPO Management');

    // A basic token (made by the admin) signs in: the header says so, and no manager action works.
    const api = services.get('config-api')!.url;
    const created = await fetch(`${api}/v1/tokens`, { method: 'POST', headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'viewer', role: 'basic' }) });
    expect(created.status).toBe(201);
    const basicToken = ((await created.json()) as { token: string }).token;
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Organization token').fill(basicToken);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('signed-in-as').getByText('basic').waitFor();
    const reason = 'Needs a manager token (or higher); you are signed in with a basic token.';
    for (const name of ['Create site', 'Add/Remove BPOs']) {
      const button = page.getByRole('button', { name, exact: true });
      await expect(button.getAttribute('aria-disabled')).resolves.toBe('true');
      await expect(button.evaluate((element) => document.getElementById(element.getAttribute('aria-describedby')!)?.textContent)).resolves.toBe(reason);
    }
    // Reached from the keyboard (off, but still focusable), it says why in a tooltip.
    await page.getByRole('button', { name: 'Create site', exact: true }).focus();
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Tab');
    await expect(page.evaluate(() => document.activeElement?.textContent)).resolves.toBe('Create site');
    await expect(page.getByRole('tooltip').textContent()).resolves.toBe(reason);
    // Pressed anyway (Playwright would wait for it to be enabled: force), it does nothing.
    await page.getByRole('button', { name: 'Create site', exact: true }).click({ force: true });
    expect(await dialog().count()).toBe(0);
    await page.getByRole('row', { name: /Manila BPO/ }).getByRole('link', { name: 'Open Manila BPO' }).click();
    await page.getByRole('tab', { name: 'Event mapping' }).click();
    await expect(page.getByRole('button', { name: 'Add rule' }).getAttribute('aria-disabled')).resolves.toBe('true');
    await shot('event-mapping-basic');
    expect(pageErrors).toEqual([]);
  }
});
