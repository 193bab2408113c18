import type { Emotion, PersonModel, Signal } from '../ml/types';
import { openFor, sealFor, type DataKey, type Keyring } from './crypto/Keyring';
import { MASTER_KEY_CHECK, sampleBody } from './migrations';
import { checkModel } from './modelJson';
import type { SqlDriver, SqlRow, SqlSession, SqlValue } from './sql/SqlDriver';
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
  type SampleMetadata,
  type StoredModelInfo,
  type StoredSample,
} from './types';
import {
  checkEmotion,
  checkGuildSettings,
  checkId,
  checkPersonSettings,
  checkSample,
  checkScope,
  checkSignal,
  type CheckedSample,
} from './validate';

/** What every view of one store (the store itself and its transactions) shares. */
export interface StoreShared {
  keyring: Keyring;
  keepRawMedia: boolean;
  now: () => Date;
  /** Pseudonym → callbacks waiting for that person's /forget. */
  forgetWatchers: Map<string, Set<() => void>>;
  closed: boolean;
}

const text = (row: SqlRow, column: string): string => {
  const v = row[column];
  if (typeof v !== 'string') throw new Error(`Column ${column} is ${v === null ? 'NULL' : typeof v}, expected text.`);
  return v;
};
const int = (row: SqlRow, column: string): number => Number(row[column] ?? 0);
const bytes = (row: SqlRow, column: string): Uint8Array => {
  const v = row[column];
  if (!(v instanceof Uint8Array))
    throw new Error(`Column ${column} is ${v === null ? 'NULL' : typeof v}, expected bytes.`);
  return v;
};

/** Rows per multi-row INSERT: far below both databases' parameter limits. */
const INSERT_CHUNK = 200;

/**
 * {@link AttuneStore} written once in SQL that both SQLite and PostgreSQL run; a {@link SqlDriver}
 * supplies the connection. Rows are keyed by the person's pseudonym, and features, metadata, raw media
 * and models are sealed under the person's data key (see {@link Keyring}).
 */
export class SqlStore implements AttuneStore {
  protected constructor(
    protected readonly driver: SqlDriver,
    private readonly session: SqlSession,
    protected readonly shared: StoreShared,
  ) {}

  /** True when samples' raw media is written to the database. */
  get keepRawMedia(): boolean {
    return this.shared.keepRawMedia;
  }

  /** Records the master key's check value on first open; refuses a database sealed under another key. */
  protected static async checkMasterKey(driver: SqlDriver, keyring: Keyring): Promise<void> {
    await driver.query('INSERT INTO store_meta (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING', [
      MASTER_KEY_CHECK,
      keyring.keyCheck,
    ]);
    const { rows } = await driver.query('SELECT value FROM store_meta WHERE name = ?', [MASTER_KEY_CHECK]);
    if (!keyring.matches(String(rows[0]?.value))) {
      throw new StoreError(
        'wrong_master_key',
        "This database was encrypted under a different master key. Set ATTUNE_MASTER_KEY (or restore the data folder's master.key) to the key it was created with.",
      );
    }
  }

  // ---- transactions -------------------------------------------------------------------------------

  transaction<T>(work: (store: AttuneStore) => Promise<T>): Promise<T> {
    this.assertOpen();
    return this.session.transaction((s) => work(new SqlStore(this.driver, s, this.shared)));
  }

  // ---- consent ------------------------------------------------------------------------------------

  async grantConsent(personId: string, consent: ConsentGrant): Promise<ConsentRecord> {
    checkId(personId, 'personId');
    if (
      typeof consent?.textVersion !== 'string' ||
      consent.textVersion.trim() === '' ||
      consent.textVersion.length > 64
    ) {
      throw new StoreError('invalid', 'consent.textVersion must be a non-empty string of at most 64 characters.');
    }
    const scope = checkScope(consent.scope);
    const at = this.timestamp();
    const pseudonym = this.pseudonym(personId);
    return this.transaction(async () => {
      await this.q(
        'INSERT INTO people (person_id, created_at) VALUES (?, ?) ON CONFLICT (person_id) DO NOTHING',
        pseudonym,
        at,
      );
      // A person keeps one data key from first consent until /forget; a second grant keeps the first key.
      const { wrapped } = this.shared.keyring.newDataKey(pseudonym);
      await this.q(
        'INSERT INTO person_keys (person_id, wrapped_key, created_at) VALUES (?, ?, ?) ON CONFLICT (person_id) DO NOTHING',
        pseudonym,
        wrapped,
        at,
      );
      await this.q(
        'INSERT INTO consents (person_id, text_version, scope, granted_at) VALUES (?, ?, ?, ?)',
        pseudonym,
        consent.textVersion,
        JSON.stringify(scope),
        at,
      );
      return { personId, textVersion: consent.textVersion, scope, grantedAt: at, revokedAt: null };
    });
  }

  async revokeConsent(personId: string): Promise<ConsentRecord | null> {
    checkId(personId, 'personId');
    const pseudonym = this.pseudonym(personId);
    return this.transaction(async () => {
      const current = await this.getConsent(personId);
      if (!current || current.revokedAt !== null) return current;
      await this.q(
        'UPDATE consents SET revoked_at = ? WHERE id = (SELECT MAX(id) FROM consents WHERE person_id = ?)',
        this.timestamp(),
        pseudonym,
      );
      return this.getConsent(personId);
    });
  }

  async getConsent(personId: string): Promise<ConsentRecord | null> {
    checkId(personId, 'personId');
    const row = await this.one(
      'SELECT text_version, scope, granted_at, revoked_at FROM consents WHERE person_id = ? ORDER BY id DESC LIMIT 1',
      this.pseudonym(personId),
    );
    if (!row) return null;
    return {
      personId,
      textVersion: text(row, 'text_version'),
      scope: JSON.parse(text(row, 'scope')) as Signal[],
      grantedAt: text(row, 'granted_at'),
      revokedAt: row.revoked_at === null ? null : text(row, 'revoked_at'),
    };
  }

  async hasConsent(personId: string, signal?: Signal): Promise<boolean> {
    const consent = await this.getConsent(personId);
    return consent !== null && consent.revokedAt === null && (signal === undefined || consent.scope.includes(signal));
  }

  /**
   * Throws unless the person has a current consent covering `signal` (any signal when omitted). Runs
   * inside the write's transaction; on PostgreSQL it also locks the person row (KEY SHARE), so a
   * concurrent /forget in another process either finishes first (and this sees no consent) or waits
   * for this write and then deletes it too. Either way no sample lands after a forget.
   */
  private async requireConsent(personId: string, signal?: Signal): Promise<void> {
    if (this.driver.dialect === 'postgres')
      await this.q('SELECT 1 FROM people WHERE person_id = ? FOR KEY SHARE', this.pseudonym(personId));
    const consent = await this.getConsent(personId);
    if (!consent || consent.revokedAt !== null) {
      throw new StoreError(
        'no_consent',
        'This person has not given (or has revoked) consent; nothing can be stored for them.',
      );
    }
    if (signal !== undefined && !consent.scope.includes(signal)) {
      throw new StoreError(
        'consent_scope',
        `This person's consent covers ${consent.scope.join(' and ')}, not ${signal}.`,
      );
    }
  }

  /** The person's data key; null when they have none (never consented, or forgotten). */
  private async dataKey(pseudonym: string): Promise<DataKey | null> {
    const row = await this.one('SELECT wrapped_key FROM person_keys WHERE person_id = ?', pseudonym);
    return row ? this.shared.keyring.unwrap(pseudonym, bytes(row, 'wrapped_key')) : null;
  }

  private async requireDataKey(pseudonym: string): Promise<DataKey> {
    const key = await this.dataKey(pseudonym);
    if (!key)
      throw new StoreError(
        'no_consent',
        'This person has no data key (never consented, or forgotten); nothing can be stored for them.',
      );
    return key;
  }

  // ---- person settings ----------------------------------------------------------------------------

  async getPersonSettings(personId: string): Promise<PersonSettings> {
    checkId(personId, 'personId');
    const row = await this.one('SELECT settings FROM people WHERE person_id = ?', this.pseudonym(personId));
    const stored = row ? (JSON.parse(text(row, 'settings')) as Partial<PersonSettings>) : {};
    return { ...DEFAULT_PERSON_SETTINGS, ...checkPersonSettings(stored) };
  }

  async updatePersonSettings(personId: string, settings: Partial<PersonSettings>): Promise<PersonSettings> {
    checkId(personId, 'personId');
    const change = checkPersonSettings(settings);
    return this.transaction(async () => {
      await this.requireConsent(personId);
      const merged = { ...(await this.getPersonSettings(personId)), ...change };
      await this.q(
        'UPDATE people SET settings = ? WHERE person_id = ?',
        JSON.stringify(merged),
        this.pseudonym(personId),
      );
      return merged;
    });
  }

  // ---- samples ------------------------------------------------------------------------------------

  async addSample(sample: NewSample): Promise<StoredSample> {
    const [stored] = await this.addSamples([sample]);
    if (!stored) throw new Error('addSamples stored nothing for one sample');
    return stored;
  }

  async addSamples(samples: readonly NewSample[]): Promise<StoredSample[]> {
    // Callers from plain JavaScript (or a cast) can pass anything: check it is a list at all.
    const given: unknown = samples;
    if (!Array.isArray(given)) throw new StoreError('invalid', 'samples must be an array.');
    // Validate everything before the transaction, so bad input never even takes the write lock.
    const checked = samples.map((s) => checkSample(s, this.keepRawMedia));
    if (checked.length === 0) return [];
    const at = this.timestamp();
    return this.transaction(async () => {
      const keys = new Map<string, DataKey>();
      const checkedConsent = new Set<string>();
      for (const s of checked) {
        if (!checkedConsent.has(`${s.personId}\n${s.signal}`)) {
          await this.requireConsent(s.personId, s.signal);
          checkedConsent.add(`${s.personId}\n${s.signal}`);
        }
        if (!keys.has(s.personId)) keys.set(s.personId, await this.requireDataKey(this.pseudonym(s.personId)));
      }
      const stored: StoredSample[] = [];
      for (let start = 0; start < checked.length; start += INSERT_CHUNK) {
        const chunk = checked.slice(start, start + INSERT_CHUNK);
        const params: SqlValue[] = [];
        for (const s of chunk) {
          const key = keys.get(s.personId) as DataKey;
          params.push(
            key.pseudonym,
            s.emotion,
            s.signal,
            sealFor(key, 'sample', sampleBody(s.featuresJson, s.metadataJson)),
            s.rawMedia ? sealFor(key, 'media', s.rawMedia) : null,
            at,
          );
        }
        const { rows } = await this.q(
          `INSERT INTO samples (person_id, emotion, signal, sealed, raw_media, created_at) VALUES ${chunk.map(() => '(?, ?, ?, ?, ?, ?)').join(', ')} RETURNING id`,
          ...params,
        );
        // One statement assigns ascending ids in VALUES order; RETURNING's row order is not promised.
        const ids = rows.map((r) => int(r, 'id')).sort((a, b) => a - b);
        if (ids.length !== chunk.length)
          throw new Error(`inserted ${chunk.length} samples but got ${ids.length} ids back`);
        chunk.forEach((s, i) => stored.push(storedSample(ids[i]!, s, at)));
      }
      return stored;
    });
  }

  async listSamples(personId: string, filter: SampleFilter = {}): Promise<StoredSample[]> {
    checkId(personId, 'personId');
    const pseudonym = this.pseudonym(personId);
    const where = ['person_id = ?'];
    const args: SqlValue[] = [pseudonym];
    if (filter.emotion !== undefined) {
      where.push('emotion = ?');
      args.push(checkEmotion(filter.emotion));
    }
    if (filter.signal !== undefined) {
      where.push('signal = ?');
      args.push(checkSignal(filter.signal));
    }
    // Rows and key in one consistent read: a concurrent forget removes both or neither.
    return this.readTransaction(async () => {
      const { rows } = await this.q(
        `SELECT id, emotion, signal, sealed, raw_media IS NOT NULL AS has_raw, created_at FROM samples WHERE ${where.join(' AND ')} ORDER BY id`,
        ...args,
      );
      if (rows.length === 0) return [];
      const key = await this.requireDataKey(pseudonym);
      return rows.map((row) => {
        const body = JSON.parse(openFor(key, 'sample', bytes(row, 'sealed')).toString('utf8')) as {
          f: unknown;
          m: SampleMetadata;
        };
        return {
          id: int(row, 'id'),
          personId,
          emotion: text(row, 'emotion'),
          // The CHECK constraint guarantees the signal, and features were validated against it on insert.
          signal: text(row, 'signal') as Signal,
          features: body.f,
          metadata: body.m,
          createdAt: text(row, 'created_at'),
          hasRawMedia: row.has_raw === 1 || row.has_raw === true,
        } as StoredSample;
      });
    });
  }

  async countSamples(personId: string): Promise<SampleCounts> {
    checkId(personId, 'personId');
    const counts: SampleCounts = {};
    const { rows } = await this.q(
      'SELECT emotion, signal, COUNT(*) AS n FROM samples WHERE person_id = ? GROUP BY emotion, signal',
      this.pseudonym(personId),
    );
    for (const row of rows) {
      const emotion = text(row, 'emotion');
      counts[emotion] ??= { face: 0, voice: 0 };
      counts[emotion][text(row, 'signal') as Signal] = int(row, 'n');
    }
    return counts;
  }

  async getRawMedia(personId: string, sampleId: number): Promise<Uint8Array | null> {
    checkId(personId, 'personId');
    if (!Number.isSafeInteger(sampleId)) return null;
    const pseudonym = this.pseudonym(personId);
    const row = await this.one(
      'SELECT s.raw_media, k.wrapped_key FROM samples s JOIN person_keys k ON k.person_id = s.person_id WHERE s.id = ? AND s.person_id = ?',
      sampleId,
      pseudonym,
    );
    if (!row || !(row.raw_media instanceof Uint8Array)) return null;
    const key = this.shared.keyring.unwrap(pseudonym, bytes(row, 'wrapped_key'));
    return new Uint8Array(openFor(key, 'media', row.raw_media));
  }

  async deleteSample(personId: string, sampleId: number): Promise<boolean> {
    checkId(personId, 'personId');
    if (!Number.isSafeInteger(sampleId)) throw new StoreError('invalid', 'sampleId must be an integer.');
    // Scoped by person: one Discord user can never delete another's sample by guessing an id.
    return (
      (await this.q('DELETE FROM samples WHERE id = ? AND person_id = ?', sampleId, this.pseudonym(personId)))
        .changes === 1
    );
  }

  async deleteSamples(personId: string, emotion: Emotion, signal?: Signal): Promise<number> {
    checkId(personId, 'personId');
    checkEmotion(emotion);
    const pseudonym = this.pseudonym(personId);
    const result =
      signal === undefined
        ? await this.q('DELETE FROM samples WHERE person_id = ? AND emotion = ?', pseudonym, emotion)
        : await this.q(
            'DELETE FROM samples WHERE person_id = ? AND emotion = ? AND signal = ?',
            pseudonym,
            emotion,
            checkSignal(signal),
          );
    return result.changes;
  }

  // ---- models -------------------------------------------------------------------------------------

  async saveModel(personId: string, model: PersonModel): Promise<StoredModelInfo> {
    checkId(personId, 'personId');
    const json = checkModel(model);
    const savedAt = this.timestamp();
    const pseudonym = this.pseudonym(personId);
    return this.transaction(async () => {
      await this.requireConsent(personId);
      const key = await this.requireDataKey(pseudonym);
      // One upsert statement: readers see the old model or the new one, never neither.
      const row = await this.one(
        `INSERT INTO models (person_id, version, revision, created_at, saved_at, sealed) VALUES (?, ?, 1, ?, ?, ?)
         ON CONFLICT (person_id) DO UPDATE SET version = excluded.version, revision = models.revision + 1,
           created_at = excluded.created_at, saved_at = excluded.saved_at, sealed = excluded.sealed
         RETURNING revision`,
        pseudonym,
        model.version,
        model.createdAt,
        savedAt,
        sealFor(key, 'model', json),
      );
      return { version: model.version, revision: int(row as SqlRow, 'revision'), createdAt: model.createdAt, savedAt };
    });
  }

  async loadModel(personId: string): Promise<PersonModel | null> {
    checkId(personId, 'personId');
    const pseudonym = this.pseudonym(personId);
    // One indexed lookup returns the model and the key that opens it.
    const row = await this.one(
      'SELECT m.sealed, k.wrapped_key FROM models m JOIN person_keys k ON k.person_id = m.person_id WHERE m.person_id = ?',
      pseudonym,
    );
    if (!row) return null;
    const key = this.shared.keyring.unwrap(pseudonym, bytes(row, 'wrapped_key'));
    return JSON.parse(openFor(key, 'model', bytes(row, 'sealed')).toString('utf8')) as PersonModel;
  }

  async deleteModel(personId: string): Promise<boolean> {
    checkId(personId, 'personId');
    return (await this.q('DELETE FROM models WHERE person_id = ?', this.pseudonym(personId))).changes === 1;
  }

  // ---- guild settings -----------------------------------------------------------------------------

  async getGuildSettings(guildId: string): Promise<GuildSettings> {
    checkId(guildId, 'guildId');
    const row = await this.one(
      'SELECT voice_enabled, allowed_channel_ids, transcription_enabled FROM guild_settings WHERE guild_id = ?',
      guildId,
    );
    if (!row) return { ...DEFAULT_GUILD_SETTINGS, allowedChannelIds: [...DEFAULT_GUILD_SETTINGS.allowedChannelIds] };
    return {
      voiceEnabled: int(row, 'voice_enabled') === 1,
      allowedChannelIds: JSON.parse(text(row, 'allowed_channel_ids')) as string[],
      transcriptionEnabled: int(row, 'transcription_enabled') === 1,
    };
  }

  async setGuildSettings(guildId: string, settings: GuildSettings): Promise<GuildSettings> {
    checkId(guildId, 'guildId');
    const clean = checkGuildSettings(settings);
    await this.q(
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

  async deleteGuildSettings(guildId: string): Promise<boolean> {
    checkId(guildId, 'guildId');
    return (await this.q('DELETE FROM guild_settings WHERE guild_id = ?', guildId)).changes === 1;
  }

  // ---- the person as a whole ----------------------------------------------------------------------

  async forgetPerson(personId: string): Promise<ForgetResult> {
    checkId(personId, 'personId');
    const pseudonym = this.pseudonym(personId);
    const result = await this.transaction(async () => {
      // Children first and explicitly, so the counts are exact and nothing depends on cascade settings.
      const counts = {
        samples: (await this.q('DELETE FROM samples WHERE person_id = ?', pseudonym)).changes,
        models: (await this.q('DELETE FROM models WHERE person_id = ?', pseudonym)).changes,
        consents: (await this.q('DELETE FROM consents WHERE person_id = ?', pseudonym)).changes,
      };
      // The data key goes in the same transaction: every copy of the sealed rows (dead tuples, WAL,
      // backups without the key table) is unreadable from this commit on.
      await this.q('DELETE FROM person_keys WHERE person_id = ?', pseudonym);
      await this.q('DELETE FROM person_leases WHERE person_id = ?', pseudonym);
      const people = (await this.q('DELETE FROM people WHERE person_id = ?', pseudonym)).changes;
      // Other processes sharing the database hear it at commit (PostgreSQL delivers NOTIFY then).
      if (this.driver.dialect === 'postgres') await this.q('SELECT pg_notify(?, ?)', FORGET_CHANNEL, pseudonym);
      return { ...counts, people };
    });
    await this.afterForget();
    this.notifyForgotten(pseudonym);
    return result;
  }

  /** Backend-specific flushing after a forget commits (SQLite: checkpoint the WAL). */
  protected async afterForget(): Promise<void> {}

  async describePerson(personId: string): Promise<PersonSummary | null> {
    checkId(personId, 'personId');
    const pseudonym = this.pseudonym(personId);
    return this.readTransaction(async () => {
      const person = await this.one('SELECT created_at, settings FROM people WHERE person_id = ?', pseudonym);
      if (!person) return null;
      const samples = await this.countSamples(personId);
      const totals = (await this.one(
        `SELECT COUNT(*) AS n, COUNT(raw_media) AS raw, SUM(CASE WHEN signal = 'face' THEN 1 ELSE 0 END) AS face,
           SUM(CASE WHEN signal = 'voice' THEN 1 ELSE 0 END) AS voice FROM samples WHERE person_id = ?`,
        pseudonym,
      )) as SqlRow;
      const modelRow = await this.one(
        'SELECT version, revision, created_at, saved_at FROM models WHERE person_id = ?',
        pseudonym,
      );
      const model = modelRow ? await this.loadModel(personId) : null;
      const consent = await this.getConsent(personId);
      const dataKinds: DataKind[] = [];
      if (consent) dataKinds.push('consent');
      if (text(person, 'settings') !== '{}') dataKinds.push('settings');
      if (int(totals, 'face') > 0) dataKinds.push('face_features');
      if (int(totals, 'voice') > 0) dataKinds.push('voice_features');
      if (int(totals, 'raw') > 0) dataKinds.push('raw_media');
      if (model) dataKinds.push('model');
      return {
        personId,
        createdAt: text(person, 'created_at'),
        consent,
        settings: await this.getPersonSettings(personId),
        samples,
        totalSamples: int(totals, 'n'),
        samplesWithRawMedia: int(totals, 'raw'),
        model:
          modelRow && model
            ? {
                version: int(modelRow, 'version'),
                revision: int(modelRow, 'revision'),
                createdAt: text(modelRow, 'created_at'),
                savedAt: text(modelRow, 'saved_at'),
                emotions: model.emotions,
                report: model.report,
              }
            : null,
        dataKinds,
      };
    });
  }

  // ---- coordination between processes ------------------------------------------------------------

  async claimPerson(personId: string, holder: string, ttlMs: number): Promise<boolean> {
    checkId(personId, 'personId');
    checkId(holder, 'holder');
    if (!Number.isSafeInteger(ttlMs) || ttlMs <= 0)
      throw new StoreError('invalid', 'ttlMs must be a positive integer.');
    const now = this.shared.now().getTime();
    // Insert, or take over when the current lease is ours (renewal) or has run out; one statement, so
    // two processes racing for the same person cannot both win.
    const { rows } = await this.q(
      `INSERT INTO person_leases (person_id, holder, expires_at) VALUES (?, ?, ?)
       ON CONFLICT (person_id) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
         WHERE person_leases.holder = excluded.holder OR person_leases.expires_at <= ?
       RETURNING holder`,
      this.pseudonym(personId),
      holder,
      now + ttlMs,
      now,
    );
    return rows.length === 1;
  }

  async releasePerson(personId: string, holder: string): Promise<boolean> {
    checkId(personId, 'personId');
    checkId(holder, 'holder');
    return (
      (await this.q('DELETE FROM person_leases WHERE person_id = ? AND holder = ?', this.pseudonym(personId), holder))
        .changes === 1
    );
  }

  async watchForget(personId: string, onForgotten: () => void): Promise<() => void> {
    checkId(personId, 'personId');
    this.assertOpen();
    const pseudonym = this.pseudonym(personId);
    const watchers = this.shared.forgetWatchers;
    let set = watchers.get(pseudonym);
    if (!set) watchers.set(pseudonym, (set = new Set()));
    const once = (): void => {
      set.delete(once);
      onForgotten();
    };
    set.add(once);
    await this.startForgetListener();
    return () => {
      set.delete(once);
      if (set.size === 0 && watchers.get(pseudonym) === set) watchers.delete(pseudonym);
    };
  }

  /** Backend-specific: make forgets in other processes reach {@link notifyForgotten} (PostgreSQL: LISTEN). */
  protected async startForgetListener(): Promise<void> {}

  /** Calls (once) everything watching this pseudonym. */
  protected notifyForgotten(pseudonym: string): void {
    const set = this.shared.forgetWatchers.get(pseudonym);
    if (!set) return;
    this.shared.forgetWatchers.delete(pseudonym);
    for (const watcher of [...set]) {
      try {
        watcher();
      } catch {
        // One failing watcher must not keep the others from hearing about the forget.
      }
    }
  }

  // ---- lifecycle ----------------------------------------------------------------------------------

  async close(): Promise<void> {
    if (this.shared.closed) return;
    this.shared.closed = true;
    await this.driver.close();
  }

  // ---- helpers ------------------------------------------------------------------------------------

  protected pseudonym(personId: string): string {
    return this.shared.keyring.pseudonym(personId);
  }

  /**
   * Several reads that must agree (rows and the key that opens them): one transaction, so a forget
   * from another caller cannot land between them.
   */
  private readTransaction<T>(work: () => Promise<T>): Promise<T> {
    return this.session.transaction(() => work());
  }

  private assertOpen(): void {
    if (this.shared.closed) throw new StoreError('closed', 'The store is closed.');
  }

  private timestamp(): string {
    return this.shared.now().toISOString();
  }

  private async q(sql: string, ...params: SqlValue[]) {
    this.assertOpen();
    return this.session.query(sql, params);
  }

  private async one(sql: string, ...params: SqlValue[]): Promise<SqlRow | undefined> {
    return (await this.q(sql, ...params)).rows[0];
  }
}

/** The LISTEN/NOTIFY channel on which PostgreSQL stores announce a forget (payload: the pseudonym). */
export const FORGET_CHANNEL = 'attune_forget';

function storedSample(id: number, s: CheckedSample, at: string): StoredSample {
  // The features are the JSON this sample was validated from, so they match its signal.
  return {
    id,
    personId: s.personId,
    emotion: s.emotion,
    signal: s.signal,
    // Parsed from the stored JSON: the caller gets exactly what a later read returns, not its own objects.
    features: JSON.parse(s.featuresJson) as unknown,
    metadata: JSON.parse(s.metadataJson) as SampleMetadata,
    createdAt: at,
    hasRawMedia: s.rawMedia !== null,
  } as StoredSample;
}
