import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { EventTypeRepository, IntegrationSshKeyRepository, MappingRuleRepository } from '@bpo/persistence';
import { arrangeOrganization, Db } from './support/fixtures';
import { repositoryTestDatabase } from './support/repository-test-database';

/** The one owners of the `mapping_rules`, event types' and `integration_ssh_keys` SQL, against the real PostgreSQL. */
describe('MappingRuleRepository, EventTypeRepository and IntegrationSshKeyRepository on the real PostgreSQL', () => {
  const testDatabase = repositoryTestDatabase();
  let dataSource: DataSource;
  let db: Db;
  let rules: MappingRuleRepository;
  let eventTypes: EventTypeRepository;
  let sshKeys: IntegrationSshKeyRepository;

  beforeAll(() => {
    ({ dataSource, db } = testDatabase);
    rules = new MappingRuleRepository(dataSource);
    eventTypes = new EventTypeRepository(dataSource);
    sshKeys = new IntegrationSshKeyRepository(dataSource);
  });

  it("reads an integration's mapping rules in creation order, typed, and only its own", async () => {
    const setup = await arrangeOrganization(db);
    const other = await arrangeOrganization(db);
    const found = await rules.ofIntegration(setup.integrationId);
    expect(found.map(({ matchType, keyword, priority, eventTypeId }) => ({ matchType, keyword, priority, eventTypeId }))).toEqual([
      { matchType: 'exact', keyword: 'Phones', priority: 'medium', eventTypeId: setup.eventTypes.Phones },
      { matchType: 'contains', keyword: 'chat', priority: 'medium', eventTypeId: setup.eventTypes.Chat },
      { matchType: 'starts_with', keyword: 'brk', priority: 'high', eventTypeId: setup.eventTypes.Break },
      { matchType: 'pattern', keyword: '^lunch( break)?$', priority: 'highest', eventTypeId: setup.eventTypes.Lunch },
    ]);
    const stored = await db.query<{ id: string; position: string }>('SELECT id, position::text AS position FROM mapping_rules WHERE integration_id = $1 ORDER BY position', [setup.integrationId]);
    expect(found.map(({ id, position }) => ({ id, position }))).toEqual(stored.map((row) => ({ id: row.id, position: Number(row.position) })));
    expect(found.every((rule, index) => typeof rule.position === 'number' && (index === 0 || rule.position > found[index - 1].position))).toBe(true);
    expect((await rules.ofIntegration(other.integrationId)).map((rule) => rule.id)).not.toContain(found[0].id);
    expect(await rules.ofIntegration(randomUUID())).toEqual([]);
  });

  it('counts the rules of an integration and those mapping to an event type, in a transaction too', async () => {
    const setup = await arrangeOrganization(db);
    const other = await arrangeOrganization(db);
    expect(await rules.countOf(setup.integrationId)).toBe(4);
    expect(await rules.countOf(randomUUID())).toBe(0);
    expect(await rules.countMappingTo(setup.eventTypes.Chat)).toBe(1);
    expect(await rules.countMappingTo(setup.eventTypes.Training)).toBe(0);
    await db.query(`INSERT INTO mapping_rules (integration_id, match_type, keyword, priority, event_type_id) VALUES ($1, 'exact', 'Webchat', 'low', $2)`, [
      setup.integrationId,
      setup.eventTypes.Chat,
    ]);
    expect(await rules.countOf(setup.integrationId)).toBe(5);
    expect(await rules.countMappingTo(setup.eventTypes.Chat)).toBe(2);
    // Another organization's rules count for its own event types only.
    expect(await rules.countOf(other.integrationId)).toBe(4);
    expect(await rules.countMappingTo(other.eventTypes.Chat)).toBe(1);

    await dataSource.transaction(async (manager) => {
      await manager.query('DELETE FROM mapping_rules WHERE integration_id = $1 AND keyword = $2', [setup.integrationId, 'Webchat']);
      expect(await new MappingRuleRepository(manager).countOf(setup.integrationId)).toBe(4);
      expect(await new MappingRuleRepository(manager).countMappingTo(setup.eventTypes.Chat)).toBe(1);
      expect(await new MappingRuleRepository(manager).ofIntegration(setup.integrationId)).toHaveLength(4);
    });
  });

  it('tells whether schedule events are of an event type, whatever their schedule', async () => {
    const setup = await arrangeOrganization(db);
    expect(await eventTypes.hasScheduleEvents(setup.eventTypes.Training)).toBe(false);
    const { id: otherSchedule } = await db.one<{ id: string }>(`INSERT INTO schedules (organization_id, name, is_default) VALUES ($1, 'Test', false) RETURNING id`, [setup.organizationId]);
    await db.query(
      `INSERT INTO schedule_events (organization_id, schedule_id, agent_id, event_type_id, start_at, end_at, day)
       VALUES ($1, $2, $3, $4, '2026-12-01T14:00:00Z', '2026-12-01T15:00:00Z', '2026-12-01')`,
      [setup.organizationId, otherSchedule, setup.agents.A1, setup.eventTypes.Training],
    );
    expect(await eventTypes.hasScheduleEvents(setup.eventTypes.Training)).toBe(true);
    expect(await eventTypes.hasScheduleEvents(setup.eventTypes.Phones)).toBe(false);
    await dataSource.transaction(async (manager) => {
      expect(await new EventTypeRepository(manager).hasScheduleEvents(setup.eventTypes.Training)).toBe(true);
    });
    // Deleting the event type deletes its events (by trigger): then none are of it.
    await db.query('DELETE FROM event_types WHERE id = $1', [setup.eventTypes.Training]);
    expect(await eventTypes.hasScheduleEvents(setup.eventTypes.Training)).toBe(false);
  });

  it("counts an integration's SSH keys, and no other integration's", async () => {
    const setup = await arrangeOrganization(db);
    const other = await arrangeOrganization(db);
    expect(await sshKeys.countOf(setup.integrationId)).toBe(0);
    const addKey = (integrationId: string, fingerprint: string) =>
      db.query(`INSERT INTO integration_ssh_keys (integration_id, algorithm, public_key, fingerprint) VALUES ($1, 'ssh-ed25519', $2, $3)`, [
        integrationId,
        `ssh-ed25519 AAAA${fingerprint} ci`,
        `SHA256:${fingerprint}`,
      ]);
    await addKey(setup.integrationId, 'first');
    await addKey(setup.integrationId, 'second');
    await addKey(other.integrationId, 'third');
    expect(await sshKeys.countOf(setup.integrationId)).toBe(2);
    expect(await sshKeys.countOf(other.integrationId)).toBe(1);
    expect(await sshKeys.countOf(randomUUID())).toBe(0);
    await dataSource.transaction(async (manager) => {
      await manager.query('DELETE FROM integration_ssh_keys WHERE integration_id = $1 AND fingerprint = $2', [setup.integrationId, 'SHA256:first']);
      expect(await new IntegrationSshKeyRepository(manager).countOf(setup.integrationId)).toBe(1);
    });
  });
});
