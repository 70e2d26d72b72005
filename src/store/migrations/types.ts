import type { DialectName } from '../dialect.js';

/** A forward-only migration. Its number is the same in every dialect; `statements` gives each dialect's SQL. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  statements(dialect: DialectName): string[];
}

/** Column types that differ by dialect. Ids sort bytewise in both so that cursor pages follow creation time. */
export function columnTypes(dialect: DialectName) {
  return {
    id: dialect === 'postgres' ? 'text collate "C"' : 'text',
  };
}
