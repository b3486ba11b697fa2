import { InitialSchema1764050000000 } from './1764050000000-InitialSchema';

/** Every migration, oldest first. Append only: a merged migration is never edited. */
export const migrations = [InitialSchema1764050000000];
