import type { DatabaseSync, SQLInputValue, StatementSync } from 'node:sqlite';
import type { Emotion, PersonModel, Signal } from '../ml/types';
import { loadSqlite } from './loadSqlite';
import { MIGRATIONS, migrate, type Migration } from './migrations';
import { checkModel } from './modelJson';
import { intColumn, textColumn, toConsent, toSample, type Row } from './rows';
import { StoreError } from './StoreError';
import {
  DEFAULT_GUILD_SETTINGS,
  DEFAULT_PERSON_SETTINGS,
  type AttuneStore,
  type ConsentGrant,
  type ConsentRecord,
  type DataKind,
  type ForgetResult,
  type GuildSettings,
  type NewSample,
  type PersonSettings,
  type PersonSummary,
  type SampleCounts,
  type SampleFilter,
  type StoredModelInfo,
  type StoredSample,
} from './types';
import { checkEmotion, checkGuildSettings, checkId, checkPersonSettings, checkSample, checkScope, checkSignal } from './validate';

/** How to open a {@link SqliteStore}. */
export interface SqliteStoreOptions {
  /** Database file path, or ':memory:'. */
  path: string;
  /** Keep the original image/audio bytes of samples (default false: features only). */
  keepRawMedia?: boolean;
  /** Clock for timestamps; tests pass a fixed one. */
  now?: () => Date;
  /** Schema steps; only tests pass anything but the real list. */
  migrations?: readonly Migration[];
}

const SAMPLE_COLUMNS = 'id, person_id, emotion, signal, features, metadata, created_at, raw_media IS NOT NULL AS has_raw';

/** {@link AttuneStore} on the built-in `node:sqlite` (synchronous, no native module to build). */
export class SqliteStore implements AttuneStore {
  /** True when samples' raw media is written to the database. */
  readonly keepRawMedia: boolean;
  private readonly db: DatabaseSync;
  private readonly now: () => Date;
  private readonly statements = new Map<string, StatementSync>();
  private depth = 0;
  private closed = false;

  /** Opens (creating if needed) and migrates the database; throws StoreError on a newer schema. */
  constructor(options: SqliteStoreOptions) {
    const { DatabaseSync } = loadSqlite();
    this.keepRawMedia = options.keepRawMedia ?? false;
    this.now = options.now ?? (() => new Date());
    // A 5 s busy timeout covers a CLI briefly holding the write lock while the bot runs.
    this.db = new DatabaseSync(options.path, { timeout: 5000 });
    try {
      // WAL: readers never block the writer, and a crash mid-write leaves the last commit intact.
      this.db.exec('PRAGMA journal_mode = WAL');
      // FULL syncs the WAL on every commit: a granted consent or a forget survives power loss too.
      this.db.exec('PRAGMA synchronous = FULL');
      this.db.exec('PRAGMA foreign_keys = ON');
      // Deleted rows are overwritten with zeros, so "forget me" does not leave bytes in free pages.
      this.db.exec('PRAGMA secure_delete = ON');
      migrate(this.db, options.migrations ?? MIGRATIONS, this.now);
    } catch (error) {
      this.db.close();
      throw error;
    }
  }

  // ---- transactions -------------------------------------------------------------------------------

  transaction<T>(work: (store: AttuneStore) => T): T {
    this.assertOpen();
    const savepoint = this.depth > 0 ? `attune_sp_${this.depth}` : null;
    this.db.exec(savepoint ? `SAVEPOINT ${savepoint}` : 'BEGIN IMMEDIATE');
    this.depth++;
    try {
      const result = work(this);
      if (typeof (result as { then?: unknown } | null)?.then === 'function') {
        // Committing now would commit before the async work ran; refuse instead of corrupting intent.
        throw new StoreError('invalid', 'transaction() work must be synchronous; it returned a promise.');
      }
      this.db.exec(savepoint ? `RELEASE ${savepoint}` : 'COMMIT');
      return result;
    } catch (error) {
      if (savepoint) {
        this.db.exec(`ROLLBACK TO ${savepoint}`);
        this.db.exec(`RELEASE ${savepoint}`);
      } else if (this.db.isTransaction) {
        this.db.exec('ROLLBACK');
      }
      throw error;
    } finally {
      this.depth--;
    }
  }

  // ---- consent ------------------------------------------------------------------------------------

  grantConsent(personId: string, consent: ConsentGrant): ConsentRecord {
    checkId(personId, 'personId');
    if (typeof consent?.textVersion !== 'string' || consent.textVersion.trim() === '' || consent.textVersion.length > 64) {
      throw new StoreError('invalid', 'consent.textVersion must be a non-empty string of at most 64 characters.');
    }
    const scope = checkScope(consent.scope);
    const at = this.timestamp();
    return this.transaction(() => {
      this.run('INSERT INTO people (person_id, created_at) VALUES (?, ?) ON CONFLICT (person_id) DO NOTHING', personId, at);
      this.run(
        'INSERT INTO consents (person_id, text_version, scope, granted_at) VALUES (?, ?, ?, ?)',
        personId,
        consent.textVersion,
        JSON.stringify(scope),
        at,
      );
      return { personId, textVersion: consent.textVersion, scope, grantedAt: at, revokedAt: null };
    });
  }

  revokeConsent(personId: string): ConsentRecord | null {
    checkId(personId, 'personId');
    return this.transaction(() => {
      const current = this.getConsent(personId);
      if (!current || current.revokedAt !== null) return current;
      this.run(
        'UPDATE consents SET revoked_at = ? WHERE id = (SELECT MAX(id) FROM consents WHERE person_id = ?)',
        this.timestamp(),
        personId,
      );
      return this.getConsent(personId);
    });
  }

  getConsent(personId: string): ConsentRecord | null {
    checkId(personId, 'personId');
    const row = this.get('SELECT * FROM consents WHERE person_id = ? ORDER BY id DESC LIMIT 1', personId);
    return row ? toConsent(row) : null;
  }

  hasConsent(personId: string, signal?: Signal): boolean {
    const consent = this.getConsent(personId);
    return consent !== null && consent.revokedAt === null && (signal === undefined || consent.scope.includes(signal));
  }

  /** Throws unless the person has a current consent covering `signal` (any signal when omitted). */
  private requireConsent(personId: string, signal?: Signal): void {
    const consent = this.getConsent(personId);
    if (!consent || consent.revokedAt !== null) {
      throw new StoreError('no_consent', 'This person has not given (or has revoked) consent; nothing can be stored for them.');
    }
    if (signal !== undefined && !consent.scope.includes(signal)) {
      throw new StoreError('consent_scope', `This person's consent covers ${consent.scope.join(' and ')}, not ${signal}.`);
    }
  }

  // ---- person settings ----------------------------------------------------------------------------

  getPersonSettings(personId: string): PersonSettings {
    checkId(personId, 'personId');
    const row = this.get('SELECT settings FROM people WHERE person_id = ?', personId);
    const stored = row ? (JSON.parse(textColumn(row, 'settings')) as Partial<PersonSettings>) : {};
    return { ...DEFAULT_PERSON_SETTINGS, ...checkPersonSettings(stored) };
  }

  updatePersonSettings(personId: string, settings: Partial<PersonSettings>): PersonSettings {
    checkId(personId, 'personId');
    const change = checkPersonSettings(settings);
    return this.transaction(() => {
      this.requireConsent(personId);
      const merged = { ...this.getPersonSettings(personId), ...change };
      this.run('UPDATE people SET settings = ? WHERE person_id = ?', JSON.stringify(merged), personId);
      return merged;
    });
  }

  // ---- samples ------------------------------------------------------------------------------------

  addSample(sample: NewSample): StoredSample {
    return this.addSamples([sample])[0];
  }

  addSamples(samples: readonly NewSample[]): StoredSample[] {
    if (!Array.isArray(samples)) throw new StoreError('invalid', 'samples must be an array.');
    // Validate everything before the transaction, so bad input never even takes the write lock.
    const checked = samples.map((s) => checkSample(s, this.keepRawMedia));
    const at = this.timestamp();
    return this.transaction(() =>
      checked.map((s) => {
        this.requireConsent(s.personId, s.signal);
        const { lastInsertRowid } = this.run(
          'INSERT INTO samples (person_id, emotion, signal, features, metadata, raw_media, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
          s.personId,
          s.emotion,
          s.signal,
          s.featuresJson,
          s.metadataJson,
          s.rawMedia,
          at,
        );
        return toSample(this.get(`SELECT ${SAMPLE_COLUMNS} FROM samples WHERE id = ?`, Number(lastInsertRowid)) as Row);
      }),
    );
  }

  listSamples(personId: string, filter: SampleFilter = {}): StoredSample[] {
    checkId(personId, 'personId');
    const where = ['person_id = ?'];
    const args: SQLInputValue[] = [personId];
    if (filter.emotion !== undefined) {
      where.push('emotion = ?');
      args.push(checkEmotion(filter.emotion));
    }
    if (filter.signal !== undefined) {
      where.push('signal = ?');
      args.push(checkSignal(filter.signal));
    }
    return this.all(`SELECT ${SAMPLE_COLUMNS} FROM samples WHERE ${where.join(' AND ')} ORDER BY id`, ...args).map(toSample);
  }

  countSamples(personId: string): SampleCounts {
    checkId(personId, 'personId');
    const counts: SampleCounts = {};
    const rows = this.all('SELECT emotion, signal, COUNT(*) AS n FROM samples WHERE person_id = ? GROUP BY emotion, signal', personId);
    for (const row of rows) {
      const emotion = textColumn(row, 'emotion');
      counts[emotion] ??= { face: 0, voice: 0 };
      counts[emotion][textColumn(row, 'signal') as Signal] = intColumn(row, 'n');
    }
    return counts;
  }

  getRawMedia(personId: string, sampleId: number): Uint8Array | null {
    checkId(personId, 'personId');
    const row = this.get('SELECT raw_media FROM samples WHERE id = ? AND person_id = ?', sampleId, personId);
    const media = row?.raw_media;
    return media instanceof Uint8Array ? media : null;
  }

  deleteSample(personId: string, sampleId: number): boolean {
    checkId(personId, 'personId');
    if (!Number.isSafeInteger(sampleId)) throw new StoreError('invalid', 'sampleId must be an integer.');
    // Scoped by person: one Discord user can never delete another's sample by guessing an id.
    return this.run('DELETE FROM samples WHERE id = ? AND person_id = ?', sampleId, personId).changes === 1;
  }

  deleteSamples(personId: string, emotion: Emotion, signal?: Signal): number {
    checkId(personId, 'personId');
    checkEmotion(emotion);
    const changes =
      signal === undefined
        ? this.run('DELETE FROM samples WHERE person_id = ? AND emotion = ?', personId, emotion).changes
        : this.run('DELETE FROM samples WHERE person_id = ? AND emotion = ? AND signal = ?', personId, emotion, checkSignal(signal)).changes;
    return Number(changes);
  }

  // ---- models -------------------------------------------------------------------------------------

  saveModel(personId: string, model: PersonModel): StoredModelInfo {
    checkId(personId, 'personId');
    const json = checkModel(model);
    const savedAt = this.timestamp();
    return this.transaction(() => {
      this.requireConsent(personId);
      // One upsert statement: readers see the old model or the new one, never neither.
      const row = this.get(
        `INSERT INTO models (person_id, version, revision, created_at, saved_at, model) VALUES (?, ?, 1, ?, ?, ?)
         ON CONFLICT (person_id) DO UPDATE SET version = excluded.version, revision = models.revision + 1,
           created_at = excluded.created_at, saved_at = excluded.saved_at, model = excluded.model
         RETURNING revision`,
        personId,
        model.version,
        model.createdAt,
        savedAt,
        json,
      ) as Row;
      return { version: model.version, revision: intColumn(row, 'revision'), createdAt: model.createdAt, savedAt };
    });
  }

  loadModel(personId: string): PersonModel | null {
    checkId(personId, 'personId');
    const row = this.get('SELECT model FROM models WHERE person_id = ?', personId);
    return row ? (JSON.parse(textColumn(row, 'model')) as PersonModel) : null;
  }

  deleteModel(personId: string): boolean {
    checkId(personId, 'personId');
    return this.run('DELETE FROM models WHERE person_id = ?', personId).changes === 1;
  }

  // ---- guild settings -----------------------------------------------------------------------------

  getGuildSettings(guildId: string): GuildSettings {
    checkId(guildId, 'guildId');
    const row = this.get('SELECT voice_enabled, allowed_channel_ids, transcription_enabled FROM guild_settings WHERE guild_id = ?', guildId);
    if (!row) return { ...DEFAULT_GUILD_SETTINGS, allowedChannelIds: [...DEFAULT_GUILD_SETTINGS.allowedChannelIds] };
    return {
      voiceEnabled: intColumn(row, 'voice_enabled') === 1,
      allowedChannelIds: JSON.parse(textColumn(row, 'allowed_channel_ids')) as string[],
      transcriptionEnabled: intColumn(row, 'transcription_enabled') === 1,
    };
  }

  setGuildSettings(guildId: string, settings: GuildSettings): GuildSettings {
    checkId(guildId, 'guildId');
    const clean = checkGuildSettings(settings);
    this.run(
      `INSERT INTO guild_settings (guild_id, voice_enabled, allowed_channel_ids, transcription_enabled, updated_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (guild_id) DO UPDATE SET voice_enabled = excluded.voice_enabled,
         allowed_channel_ids = excluded.allowed_channel_ids, transcription_enabled = excluded.transcription_enabled,
         updated_at = excluded.updated_at`,
      guildId,
      clean.voiceEnabled ? 1 : 0,
      JSON.stringify(clean.allowedChannelIds),
      clean.transcriptionEnabled ? 1 : 0,
      this.timestamp(),
    );
    return clean;
  }

  deleteGuildSettings(guildId: string): boolean {
    checkId(guildId, 'guildId');
    return this.run('DELETE FROM guild_settings WHERE guild_id = ?', guildId).changes === 1;
  }

  // ---- the person as a whole ----------------------------------------------------------------------

  forgetPerson(personId: string): ForgetResult {
    checkId(personId, 'personId');
    const result = this.transaction(() => ({
      // Children first and explicitly, so the counts are exact and nothing depends on cascade settings.
      samples: Number(this.run('DELETE FROM samples WHERE person_id = ?', personId).changes),
      models: Number(this.run('DELETE FROM models WHERE person_id = ?', personId).changes),
      consents: Number(this.run('DELETE FROM consents WHERE person_id = ?', personId).changes),
      people: Number(this.run('DELETE FROM people WHERE person_id = ?', personId).changes),
    }));
    // The old page images still sit in the WAL until a checkpoint; flush and truncate it now so the
    // person's bytes leave the disk files immediately. Inside an outer transaction this must wait.
    if (this.depth === 0) this.checkpoint();
    return result;
  }

  describePerson(personId: string): PersonSummary | null {
    checkId(personId, 'personId');
    const person = this.get('SELECT created_at, settings FROM people WHERE person_id = ?', personId);
    if (!person) return null;
    const samples = this.countSamples(personId);
    const totals = this.get(
      'SELECT COUNT(*) AS n, COUNT(raw_media) AS raw, SUM(signal = \'face\') AS face, SUM(signal = \'voice\') AS voice FROM samples WHERE person_id = ?',
      personId,
    ) as Row;
    const modelRow = this.get('SELECT version, revision, created_at, saved_at, model FROM models WHERE person_id = ?', personId);
    const model = modelRow ? (JSON.parse(textColumn(modelRow, 'model')) as PersonModel) : null;
    const consent = this.getConsent(personId);
    const dataKinds: DataKind[] = [];
    if (consent) dataKinds.push('consent');
    if (textColumn(person, 'settings') !== '{}') dataKinds.push('settings');
    if (Number(totals.face ?? 0) > 0) dataKinds.push('face_features');
    if (Number(totals.voice ?? 0) > 0) dataKinds.push('voice_features');
    if (intColumn(totals, 'raw') > 0) dataKinds.push('raw_media');
    if (model) dataKinds.push('model');
    return {
      personId,
      createdAt: textColumn(person, 'created_at'),
      consent,
      settings: this.getPersonSettings(personId),
      samples,
      totalSamples: intColumn(totals, 'n'),
      samplesWithRawMedia: intColumn(totals, 'raw'),
      model:
        modelRow && model
          ? {
              version: intColumn(modelRow, 'version'),
              revision: intColumn(modelRow, 'revision'),
              createdAt: textColumn(modelRow, 'created_at'),
              savedAt: textColumn(modelRow, 'saved_at'),
              emotions: model.emotions,
              report: model.report,
            }
          : null,
      dataKinds,
    };
  }

  // ---- lifecycle ----------------------------------------------------------------------------------

  /** Copies the WAL into the database file and truncates the WAL to zero bytes. */
  checkpoint(): void {
    this.assertOpen();
    this.db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
  }

  /** Runs SQLite's full consistency check; returns 'ok' or the problems found. */
  integrityCheck(): string {
    this.assertOpen();
    return this.db
      .prepare('PRAGMA integrity_check')
      .all()
      .map((row) => String(row.integrity_check))
      .join('\n');
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.statements.clear();
    // Closing the last connection checkpoints the WAL and removes the -wal/-shm files.
    this.db.close();
  }

  // ---- helpers ------------------------------------------------------------------------------------

  private assertOpen(): void {
    if (this.closed) throw new StoreError('closed', 'The store is closed.');
  }

  private timestamp(): string {
    return this.now().toISOString();
  }

  /** Statements are prepared once per SQL text and reused: preparing costs more than running. */
  private statement(sql: string): StatementSync {
    this.assertOpen();
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  private run(sql: string, ...args: SQLInputValue[]) {
    return this.statement(sql).run(...args);
  }

  private get(sql: string, ...args: SQLInputValue[]): Row | undefined {
    return this.statement(sql).get(...args);
  }

  private all(sql: string, ...args: SQLInputValue[]): Row[] {
    return this.statement(sql).all(...args);
  }
}
