import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { IntegrationRepository, ScheduleEventRepository } from '@bpo/persistence';
import { arrangeOrganization, Db, storeFile, type Setup } from './support/fixtures';
import { repositoryTestDatabase } from './support/repository-test-database';

/** The one owner of the `schedule_events` SQL outside the writer, and the integration's day versions, against the real PostgreSQL. */
describe('ScheduleEventRepository and IntegrationRepository.dayVersions on the real PostgreSQL', () => {
  const testDatabase = repositoryTestDatabase();
  let dataSource: DataSource;
  let db: Db;
  let events: ScheduleEventRepository;

  beforeAll(() => {
    ({ dataSource, db } = testDatabase);
    events = new ScheduleEventRepository(dataSource);
  });

  /** A schedule event as the writer stores it; returns its id. */
  const addEvent = async (
    setup: Setup,
    event: { agentId: string; eventTypeId: string; startAt: string; endAt: string; day: string; scheduleId?: string; integrationId?: string; fileId?: string },
  ) =>
    (
      await db.one<{ id: string }>(
        `INSERT INTO schedule_events (organization_id, schedule_id, agent_id, event_type_id, start_at, end_at, day, source_integration_id, source_file_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id::text AS id`,
        [setup.organizationId, event.scheduleId ?? setup.scheduleId, event.agentId, event.eventTypeId, event.startAt, event.endAt, event.day, event.integrationId ?? null, event.fileId ?? null],
      )
    ).id;
  const addSchedule = async (setup: Setup) =>
    (await db.one<{ id: string }>(`INSERT INTO schedules (organization_id, name, is_default) VALUES ($1, 'Test', false) RETURNING id`, [setup.organizationId])).id;

  it("lists the organization's events by start then id, with agent and event type, filtered and a page at a time", async () => {
    const setup = await arrangeOrganization(db);
    const other = await arrangeOrganization(db);
    const secondSchedule = await addSchedule(setup);
    const { id: secondSite } = await db.one<{ id: string }>(`INSERT INTO sites (organization_id, name, timezone, is_bpo) VALUES ($1, 'Cebu BPO', 'UTC', true) RETURNING id`, [setup.organizationId]);
    const { id: cebu } = await db.one<{ id: string }>(`INSERT INTO agents (organization_id, site_id, name) VALUES ($1, $2, 'Agent B0') RETURNING id`, [setup.organizationId, secondSite]);
    await db.query(`UPDATE event_types SET color = '#ff0000' WHERE id = $1`, [setup.eventTypes.Phones]);
    const { fileId } = await storeFile(db, setup, 'schedule.csv', 'a,b\r\n');
    const { A1, A2 } = setup.agents;
    const { Phones, Break, Chat, Lunch } = setup.eventTypes;

    const phones = await addEvent(setup, { agentId: A2, eventTypeId: Phones, startAt: '2026-12-01T14:00:00Z', endAt: '2026-12-01T15:00:00Z', day: '2026-12-01', integrationId: setup.integrationId, fileId });
    // The same start, a later id: after `phones` on the page.
    const brk = await addEvent(setup, { agentId: A1, eventTypeId: Break, startAt: '2026-12-01T14:00:00Z', endAt: '2026-12-01T14:15:00Z', day: '2026-12-01' });
    const lunch = await addEvent(setup, { agentId: A1, eventTypeId: Lunch, startAt: '2026-12-02T16:00:00.123456Z', endAt: '2026-12-02T17:00:00Z', day: '2026-12-02' });
    const chat = await addEvent(setup, { agentId: cebu, eventTypeId: Chat, startAt: '2026-12-01T13:00:00Z', endAt: '2026-12-01T14:00:00Z', day: '2026-12-01', scheduleId: secondSchedule });
    const elsewhere = await addEvent(other, { agentId: other.agents.A1, eventTypeId: other.eventTypes.Phones, startAt: '2026-12-01T12:00:00Z', endAt: '2026-12-01T13:00:00Z', day: '2026-12-01' });
    const page = { limit: 10, offset: 0, after: null };
    const ids = async (filters: Parameters<ScheduleEventRepository['list']>[1], at: Parameters<ScheduleEventRepository['list']>[2] = page) =>
      (await events.list(setup.organizationId, filters, at)).map((row) => row.id);

    const all = await events.list(setup.organizationId, {}, page);
    expect(all.map((row) => row.id)).toEqual([chat, phones, brk, lunch]);
    expect(all[1]).toEqual({
      id: phones,
      schedule_id: setup.scheduleId,
      agent_id: A2,
      agent_name: 'Agent A2',
      site_id: setup.siteId,
      event_type_id: Phones,
      event_type_name: 'Phones',
      event_type_color: '#ff0000',
      start_at: new Date('2026-12-01T14:00:00Z'),
      end_at: new Date('2026-12-01T15:00:00Z'),
      day: '2026-12-01',
      source_integration_id: setup.integrationId,
      source_file_id: fileId,
      start_key: expect.any(String),
    });
    expect(all[0]).toMatchObject({ agent_name: 'Agent B0', site_id: secondSite, schedule_id: secondSchedule, event_type_color: null, source_integration_id: null, source_file_id: null });
    // The start's key keeps its microseconds: a cursor after it starts after it.
    expect(all[3].start_key).toMatch(/\.123456[+-]/);
    expect(await events.list(other.organizationId, {}, page)).toEqual([expect.objectContaining({ id: elsewhere, agent_name: 'Agent A1' })]);

    expect(await ids({ scheduleId: secondSchedule })).toEqual([chat]);
    expect(await ids({ scheduleId: setup.scheduleId })).toEqual([phones, brk, lunch]);
    expect(await ids({ siteId: secondSite })).toEqual([chat]);
    expect(await ids({ agentId: A1 })).toEqual([brk, lunch]);
    // `from` is inclusive, `to` exclusive.
    expect(await ids({ from: '2026-12-01T14:00:00Z' })).toEqual([phones, brk, lunch]);
    expect(await ids({ to: '2026-12-01T14:00:00Z' })).toEqual([chat]);
    expect(await ids({ siteId: setup.siteId, agentId: A1, from: '2026-12-01T14:00:00Z', to: '2026-12-02T00:00:00Z' })).toEqual([brk]);
    expect(await ids({ agentId: other.agents.A1 })).toEqual([]);

    expect(await ids({}, { limit: 2, offset: 1, after: null })).toEqual([phones, brk]);
    // After a cursor's keys, the offset counts for nothing.
    const afterPhones = { startKey: all[1].start_key, id: phones };
    expect(await ids({}, { limit: 10, offset: 3, after: afterPhones })).toEqual([brk, lunch]);
    expect(await ids({ agentId: A1 }, { limit: 1, offset: 0, after: afterPhones })).toEqual([brk]);
    expect(await ids({}, { limit: 10, offset: 0, after: { startKey: all[3].start_key, id: lunch } })).toEqual([]);
  });

  it('reads the events an integration wrote in a schedule on a range of days, by id, as the snapshot diff takes them', async () => {
    const setup = await arrangeOrganization(db);
    const other = await arrangeOrganization(db);
    const secondSchedule = await addSchedule(setup);
    const { A1, A2 } = setup.agents;
    const { Phones, Chat } = setup.eventTypes;
    const written = { integrationId: setup.integrationId };

    const third = await addEvent(setup, { ...written, agentId: A1, eventTypeId: Chat, startAt: '2026-12-03T14:00:00Z', endAt: '2026-12-03T15:30:00.250Z', day: '2026-12-03' });
    const second = await addEvent(setup, { ...written, agentId: A2, eventTypeId: Phones, startAt: '2026-12-02T03:00:00+05:30', endAt: '2026-12-02T05:00:00+05:30', day: '2026-12-02' });
    await addEvent(setup, { ...written, agentId: A1, eventTypeId: Phones, startAt: '2026-12-01T14:00:00Z', endAt: '2026-12-01T15:00:00Z', day: '2026-12-01' });
    await addEvent(setup, { ...written, agentId: A1, eventTypeId: Phones, startAt: '2026-12-04T14:00:00Z', endAt: '2026-12-04T15:00:00Z', day: '2026-12-04' });
    // Another schedule's, another integration's, no integration's: not this integration's in this schedule.
    await addEvent(setup, { ...written, agentId: A1, eventTypeId: Phones, startAt: '2026-12-02T14:00:00Z', endAt: '2026-12-02T15:00:00Z', day: '2026-12-02', scheduleId: secondSchedule });
    await addEvent(setup, { agentId: A1, eventTypeId: Phones, startAt: '2026-12-02T16:00:00Z', endAt: '2026-12-02T17:00:00Z', day: '2026-12-02' });
    await addEvent(other, { integrationId: other.integrationId, agentId: other.agents.A1, eventTypeId: other.eventTypes.Phones, startAt: '2026-12-02T14:00:00Z', endAt: '2026-12-02T15:00:00Z', day: '2026-12-02' });

    const days = { from: '2026-12-02', to: '2026-12-03' };
    expect(await events.storedEvents(setup.integrationId, setup.scheduleId, days)).toEqual([
      { id: third, agentId: A1, eventTypeId: Chat, startAt: '2026-12-03T14:00:00.000Z', endAt: '2026-12-03T15:30:00.250Z', day: '2026-12-03' },
      { id: second, agentId: A2, eventTypeId: Phones, startAt: '2026-12-01T21:30:00.000Z', endAt: '2026-12-01T23:30:00.000Z', day: '2026-12-02' },
    ]);
    expect(await events.storedEvents(setup.integrationId, setup.scheduleId, { from: '2026-12-03', to: '2026-12-03' })).toEqual([expect.objectContaining({ id: third })]);
    expect(await events.storedEvents(setup.integrationId, secondSchedule, days)).toHaveLength(1);
    expect(await events.storedEvents(randomUUID(), setup.scheduleId, days)).toEqual([]);

    // On a transaction's EntityManager, it sees the transaction's own writes.
    await dataSource.transaction(async (manager) => {
      await manager.query('DELETE FROM schedule_events WHERE id = $1', [third]);
      expect((await new ScheduleEventRepository(manager).storedEvents(setup.integrationId, setup.scheduleId, days)).map((event) => event.id)).toEqual([second]);
    });
  });

  it("reads the integration's day versions in a range: each day's newest applied file's arrival, as an ISO instant", async () => {
    const setup = await arrangeOrganization(db);
    const other = await arrangeOrganization(db);
    const version = (integrationId: string, day: string, receivedAt: string) =>
      db.query('INSERT INTO integration_day_versions (integration_id, day, file_received_at, file_id) VALUES ($1, $2, $3, $4)', [integrationId, day, receivedAt, randomUUID()]);
    await version(setup.integrationId, '2026-12-01', '2026-11-30T08:00:00Z');
    await version(setup.integrationId, '2026-12-02', '2026-11-30 05:00:00.5-05');
    await version(setup.integrationId, '2026-12-03', '2026-12-01T09:15:00Z');
    await version(setup.integrationId, '2026-12-04', '2026-12-01T09:15:00Z');
    await version(other.integrationId, '2026-12-02', '2026-12-01T11:00:00Z');
    const integrations = new IntegrationRepository(dataSource);

    expect(Object.fromEntries(await integrations.dayVersions(setup.integrationId, { from: '2026-12-02', to: '2026-12-03' }))).toEqual({
      '2026-12-02': '2026-11-30T10:00:00.500Z',
      '2026-12-03': '2026-12-01T09:15:00.000Z',
    });
    expect(Object.fromEntries(await integrations.dayVersions(other.integrationId, { from: '2026-12-01', to: '2026-12-31' }))).toEqual({ '2026-12-02': '2026-12-01T11:00:00.000Z' });
    expect(await integrations.dayVersions(setup.integrationId, { from: '2026-12-05', to: '2026-12-31' })).toEqual(new Map());
    expect(await integrations.dayVersions(randomUUID(), { from: '2026-12-01', to: '2026-12-31' })).toEqual(new Map());
  });
});
