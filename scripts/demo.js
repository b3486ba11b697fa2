#!/usr/bin/env node
// `npm run demo`: the newcomer's walk from nothing to a synced schedule, against the running stack
// (`npm start`): an organization, a BPO site, an integration, event types, mapping rules, an agent's
// platform id, the template, an upload with OpenSSH `sftp`, then the events and the sync report.
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const api = process.env.API_URL ?? 'http://127.0.0.1:3000';
const operatorTokenFile = path.join(__dirname, '..', '.data', 'operator-token');
const operatorToken = process.env.OPERATOR_TOKEN ?? (fs.existsSync(operatorTokenFile) ? fs.readFileSync(operatorTokenFile, 'utf8').trim() : '');

function step(text) {
  process.stdout.write(`\n== ${text}\n`);
}

async function call(method, route, token, body, accept = 'application/json') {
  const response = await fetch(`${api}/v1${route}`, {
    method,
    headers: { authorization: `Bearer ${token}`, accept, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${route} answered ${response.status}: ${text}`);
  return accept === 'application/json' && text ? JSON.parse(text) : text;
}

function localDay(offset, zone) {
  const date = new Date(Date.now() + offset * 86_400_000);
  return new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(date);
}

async function main() {
  if (!operatorToken) throw new Error('no operator token: start the platform with `npm start` (it keeps one in .data/operator-token) or set OPERATOR_TOKEN');
  await fetch(`${api}/health`).catch(() => {
    throw new Error(`the REST API does not answer at ${api}: start the platform with \`npm start\``);
  });
  const zone = 'America/New_York';

  step('1. Create an organization with the operator token (it answers with the first admin token)');
  const created = await call('POST', '/organizations', operatorToken, { name: `Demo ${new Date().toISOString()}`, timezone: zone });
  const token = created.token.token;
  console.log(`organization ${created.organization.id}, default schedule ${created.defaultSchedule.id}`);

  step('2. Add a site and mark it as a BPO');
  const site = await call('POST', '/sites', token, { name: 'Manila BPO', timezone: zone });
  await call('PATCH', `/sites/${site.id}`, token, { isBpo: true });
  console.log(`site ${site.id} (${zone}) is a BPO`);

  step('3. Connect an integration on the Custom platform: SFTP credentials and the template');
  const connected = await call('POST', `/sites/${site.id}/integration`, token, { platform: 'custom' });
  const integration = connected.integration;
  console.log(`sftp ${connected.sftp.username}@${connected.sftp.host}:${connected.sftp.port} (password shown once), template ${connected.templateUrl}`);

  step('4. Event types and mapping rules (with a default mapping)');
  const types = {};
  for (const name of ['Phones', 'Chat', 'Break', 'Lunch', 'Training']) types[name] = (await call('POST', '/event-types', token, { name })).id;
  const rules = [
    { matchType: 'exact', keyword: 'Phones', priority: 'medium', eventTypeId: types.Phones },
    { matchType: 'contains', keyword: 'chat', priority: 'medium', eventTypeId: types.Chat },
    { matchType: 'starts_with', keyword: 'BRK', priority: 'high', eventTypeId: types.Break },
    { matchType: 'pattern', keyword: '^lunch( break)?$', priority: 'highest', eventTypeId: types.Lunch },
  ];
  for (const rule of rules) await call('POST', `/integrations/${integration.id}/mapping-rules`, token, rule);
  await call('PUT', `/integrations/${integration.id}/default-mapping`, token, { eventTypeId: types.Training });
  const preview = await call('POST', `/integrations/${integration.id}/mapping-rules/preview`, token, { activities: ['Phones', 'BRK-15', 'Lunch Break', 'Coaching'] });
  console.log(JSON.stringify(preview));

  step("5. Agents with their Custom platform ids (custom_platform_sftp)");
  for (const [name, id] of [['Ana Reyes', 'A1001'], ['Jörg Müller', 'A1002']]) {
    await call('POST', '/agents', token, { name, siteId: site.id, platformIds: { custom_platform_sftp: id } });
  }
  console.log('A1001 -> Ana Reyes, A1002 -> Jörg Müller');

  step('6. Download the template, fill it in, and upload it with OpenSSH sftp (key login)');
  const template = await call('GET', '/platforms/custom/template.csv', token, undefined, 'text/csv');
  console.log(template.trim());
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bpo-demo-'));
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'demo', '-f', path.join(work, 'key')]);
  await call('POST', `/integrations/${integration.id}/ssh-keys`, token, { publicKey: fs.readFileSync(path.join(work, 'key.pub'), 'utf8').trim() });
  const d1 = localDay(2, zone);
  const d2 = localDay(3, zone);
  const csv = [
    template.split(/\r?\n/)[0],
    `A1001,Ana Reyes,${d1}T09:00:00,${d1}T12:00:00,Phones`,
    `A1001,Ana Reyes,${d1}T12:00:00,${d1}T12:15:00,BRK-15`,
    `A1001,Ana Reyes,${d1}T12:15:00,${d1}T13:00:00,Lunch Break`,
    `A1002,"Müller, Jörg",${d1}T22:00:00,${d2}T06:00:00,Live chat`,
    `A1002,"Müller, Jörg",${d2}T09:00:00,${d2}T10:00:00,Coaching`,
    `A9999,Nobody,${d2}T09:00:00,${d2}T17:00:00,Phones`,
  ].join('\r\n');
  const filename = `schedule_${new Date().toISOString().replace(/[-:.]/g, '').slice(0, 15)}.csv`;
  fs.writeFileSync(path.join(work, 'schedule.csv'), `${csv}\r\n`);
  fs.writeFileSync(path.join(work, 'batch'), `put schedule.csv ${filename}\nls -l\n`);
  const out = execFileSync(
    'sftp',
    ['-b', 'batch', '-i', 'key', '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'LogLevel=ERROR', '-P', String(connected.sftp.port), `${connected.sftp.username}@${connected.sftp.host}`],
    { cwd: work, encoding: 'utf8' },
  );
  console.log(out.trim());
  fs.rmSync(work, { recursive: true, force: true });

  step('7. Wait for the sync and read the report');
  let detail;
  for (let i = 0; i < 120; i += 1) {
    detail = await call('GET', `/integrations/${integration.id}`, token);
    if (detail.lastStatus && detail.lastStatus !== 'processing') break;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  console.log(`last sync: ${detail.lastStatus} at ${detail.lastSyncAt}, file ${detail.lastFile?.filename}`);
  const files = await call('GET', `/integrations/${integration.id}/files`, token);
  const report = await call('GET', `/integrations/${integration.id}/files/${files.items[0].id}`, token);
  console.log(JSON.stringify({ status: report.syncRun.status, counts: report.syncRun.counts, window: report.syncRun.window, errors: report.errors.items }, null, 2));

  step('8. The events now in the default schedule (UTC)');
  const events = await call('GET', `/events?scheduleId=${created.defaultSchedule.id}`, token);
  for (const event of events.items) console.log(`${event.agent.name.padEnd(12)} ${event.eventType.name.padEnd(9)} ${event.startAt} -> ${event.endAt}`);
  if (detail.lastStatus !== 'succeeded_with_errors' || events.items.length !== 5) throw new Error('the demo did not sync as expected');
  console.log('\nDone: the BPO file is now the customer\'s schedule.');
}

main().catch((error) => {
  console.error(`demo failed: ${error.message}`);
  process.exit(1);
});
