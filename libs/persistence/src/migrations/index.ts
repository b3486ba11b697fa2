import { InitialSchema1764050000000 } from './1764050000000-InitialSchema';
import { SyncRunFileEnd1764060000000 } from './1764060000000-SyncRunFileEnd';
import { ScheduleEventsByStart1764070000000 } from './1764070000000-ScheduleEventsByStart';

/** Every migration, oldest first. Append only: a merged migration is never edited. */
export const migrations = [InitialSchema1764050000000, SyncRunFileEnd1764060000000, ScheduleEventsByStart1764070000000];
