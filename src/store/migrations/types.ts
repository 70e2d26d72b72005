import type { DialectProfile } from '../dialect.js';

/**
 * A forward-only migration. Its number is the same in every dialect; `statements` gives the SQL for the
 * database the profile describes.
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  statements(profile: DialectProfile): string[];
}

/** Column types that differ by dialect. Ids sort bytewise in both so that cursor pages follow creation time. */
export function columnTypes(profile: DialectProfile) {
  return {
    id: profile.idColumnType,
  };
}
