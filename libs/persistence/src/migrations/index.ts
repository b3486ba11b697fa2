import { InitialSchema1764050000000 } from './1764050000000-InitialSchema';
import { SyncRunFileEnd1764060000000 } from './1764060000000-SyncRunFileEnd';
import { ScheduleEventsByStart1764070000000 } from './1764070000000-ScheduleEventsByStart';
import { OutboxDeadLetters1764100000000 } from './1764100000000-OutboxDeadLetters';
import { TypedStagingAndLeanEvents1764110000000 } from './1764110000000-TypedStagingAndLeanEvents';
import { SyncRunProgress1764125000000 } from './1764125000000-SyncRunProgress';
import { SftpLockouts1764130000000 } from './1764130000000-SftpLockouts';
import { IntegrationStaleness1764140000000 } from './1764140000000-IntegrationStaleness';
import { OutboxPayloadAsJson1764150000000 } from './1764150000000-OutboxPayloadAsJson';
import { DeadLettersBySyncRun1764155000000 } from './1764155000000-DeadLettersBySyncRun';
import { DropInbox1764160000000 } from './1764160000000-DropInbox';
import { AgentDayDigests1764170000000 } from './1764170000000-AgentDayDigests';
import { EventsChangedAfterStatus1764180000000 } from './1764180000000-EventsChangedAfterStatus';
import { OutboxPayloadUncompressed1764190000000 } from './1764190000000-OutboxPayloadUncompressed';
import { EventsChangedPublishedParts1764210000000 } from './1764210000000-EventsChangedPublishedParts';
import { SiteAgentIdsVersion1764200000000 } from './1764200000000-SiteAgentIdsVersion';

/** Every migration, oldest first. Append only: a merged migration is never edited. */
export const migrations = [
  InitialSchema1764050000000,
  SyncRunFileEnd1764060000000,
  ScheduleEventsByStart1764070000000,
  OutboxDeadLetters1764100000000,
  TypedStagingAndLeanEvents1764110000000,
  SyncRunProgress1764125000000,
  SftpLockouts1764130000000,
  IntegrationStaleness1764140000000,
  OutboxPayloadAsJson1764150000000,
  DeadLettersBySyncRun1764155000000,
  DropInbox1764160000000,
  AgentDayDigests1764170000000,
  EventsChangedAfterStatus1764180000000,
  OutboxPayloadUncompressed1764190000000,
  SiteAgentIdsVersion1764200000000,
  EventsChangedPublishedParts1764210000000,
];
