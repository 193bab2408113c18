import type { DatabaseSync } from 'node:sqlite';
import { loadSqlite } from '../../../src/storage/loadSqlite';

/** Opens a database file directly (not through the store), to check what is really on disk. */
export function openRaw(file: string): DatabaseSync {
  return new (loadSqlite().DatabaseSync)(file);
}

/** Every row of every user table, in a stable order: equal dumps mean equal databases. */
export function dumpTables(db: DatabaseSync): Record<string, unknown[]> {
  const tables = db
    .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    .all()
    .map((r) => String(r.name));
  return Object.fromEntries(
    tables.map((t) => [
      t,
      db
        .prepare(`SELECT * FROM "${t}" ORDER BY rowid`)
        .all()
        .map((r) => ({ ...r })),
    ]),
  );
}
