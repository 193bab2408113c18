import { randomBytes } from 'node:crypto';
import type { Emotion, FaceFeatures, VoiceFeatures } from '../../ml/types';
import type { AttuneStore } from '../../storage';

/** How long an /ask's reading can be confirmed or corrected; then its features are dropped. */
export const CORRECTION_TTL_MS = 15 * 60_000;
/** Held readings over everyone; past it the oldest is dropped (its buttons then say they expired). */
export const MAX_HELD = 500;
/** Held readings per person: the latest few answers can be corrected. */
export const MAX_HELD_PER_PERSON = 5;

/** What one /ask read, held in memory until its owner confirms or corrects it. */
export interface HeldReading {
  personId: string;
  face?: FaceFeatures;
  voice?: VoiceFeatures;
  /** The emotions of the person's model, which the buttons offer. */
  emotions: Emotion[];
  /** The reading the answer stated, or null when it said "not sure". */
  reading: Emotion | null;
}

/** Why a held reading could not be taken. */
export type TakeRefusal = 'expired' | 'not_yours';

interface Entry {
  held: HeldReading;
  expiresAt: number;
}

/**
 * The features of recent /ask answers, in memory only, so their owner can label them with a button.
 * /ask stores nothing: a reading becomes a sample only when its owner presses "That's right" or "I was
 * feeling …". Bounded in time ({@link CORRECTION_TTL_MS}) and in count (overall and per person); held
 * only for people whose consent covers it (the caller checks) and dropped at once when the person is
 * forgotten, in any process sharing the store.
 */
export class PendingCorrections {
  private readonly entries = new Map<string, Entry>();
  /** Each person's held ids, oldest first, and how to stop watching for their /forget. */
  private readonly people = new Map<string, { ids: string[]; stopWatching: Promise<() => void> }>();
  private readonly now: () => number;
  private readonly ttlMs: number;
  private readonly maxHeld: number;
  private readonly maxPerPerson: number;

  constructor(
    private readonly opts: {
      store: Pick<AttuneStore, 'watchForget'>;
      now?: () => number;
      ttlMs?: number;
      maxHeld?: number;
      maxPerPerson?: number;
    },
  ) {
    this.now = opts.now ?? Date.now;
    this.ttlMs = opts.ttlMs ?? CORRECTION_TTL_MS;
    this.maxHeld = opts.maxHeld ?? MAX_HELD;
    this.maxPerPerson = opts.maxPerPerson ?? MAX_HELD_PER_PERSON;
  }

  /** Holds a reading and returns its id (for the buttons' custom ids). */
  async hold(held: HeldReading): Promise<string> {
    this.sweep();
    const id = randomBytes(8).toString('hex');
    this.entries.set(id, { held, expiresAt: this.now() + this.ttlMs });
    let person = this.people.get(held.personId);
    if (!person) {
      person = {
        ids: [],
        stopWatching: this.opts.store.watchForget(held.personId, () => this.forgetPerson(held.personId)),
      };
      this.people.set(held.personId, person);
    }
    person.ids.push(id);
    while (person.ids.length > this.maxPerPerson) this.drop(person.ids[0]!);
    while (this.entries.size > this.maxHeld) this.drop(this.entries.keys().next().value!);
    // Watching is active before the buttons are shown, so a /forget from then on drops the features.
    try {
      await person.stopWatching;
    } catch (error) {
      // Without a watch a /forget could miss these features: hold nothing for the person.
      this.forgetPerson(held.personId);
      throw error;
    }
    return id;
  }

  /**
   * Takes the held reading for `userId`, who pressed one of its buttons: it is removed, so a reading
   * becomes at most one sample. Someone else's press leaves it where it is.
   */
  take(id: string, userId: string): { ok: true; held: HeldReading } | { ok: false; why: TakeRefusal } {
    this.sweep();
    const entry = this.entries.get(id);
    if (!entry) return { ok: false, why: 'expired' };
    if (entry.held.personId !== userId) return { ok: false, why: 'not_yours' };
    this.drop(id);
    return { ok: true, held: entry.held };
  }

  /** Drops everything held for the person (/forget); returns how many readings were dropped. */
  forgetPerson(personId: string): number {
    const ids = [...(this.people.get(personId)?.ids ?? [])];
    for (const id of ids) this.drop(id);
    return ids.length;
  }

  /** Readings held now (expired ones are dropped first). */
  get size(): number {
    this.sweep();
    return this.entries.size;
  }

  /** Every entry lives equally long, so insertion order is expiry order: drop from the oldest. */
  private sweep(): void {
    const now = this.now();
    for (const [id, entry] of this.entries) {
      if (entry.expiresAt > now) break;
      this.drop(id);
    }
  }

  private drop(id: string): void {
    const entry = this.entries.get(id);
    if (!entry) return;
    this.entries.delete(id);
    const personId = entry.held.personId;
    const person = this.people.get(personId);
    if (!person) return;
    person.ids = person.ids.filter((x) => x !== id);
    if (person.ids.length > 0) return;
    this.people.delete(personId);
    void person.stopWatching.then(
      (stop) => stop(),
      () => undefined,
    );
  }
}
