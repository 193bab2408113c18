import { randomBytes } from 'node:crypto';
import type { AttuneStore } from '../../storage';
import { hashUserId, type Logger } from '../util/log';

/** How long a claim lives without renewal: a crashed shard keeps a person locked out at most this long. */
export const PERSON_LEASE_TTL_MS = 60_000;
/** Renewal period: a few renewals may fail (database blip) before the claim runs out. */
export const PERSON_LEASE_RENEW_MS = 15_000;

/**
 * A running calibration's hold on its person, across every process sharing the store: a lease row
 * (one calibration per person, whichever shard or host runs it) and a watch for /forget handled
 * anywhere (PostgreSQL LISTEN/NOTIFY; on SQLite, this process). Take it before the calibration
 * starts, `attach` what a forget must stop, `release` when the calibration ends.
 */
export class PersonHold {
  private stopWatching: (() => void) | null = null;
  private renewTimer: NodeJS.Timeout | null = null;
  private onForget: (() => void) | null = null;
  private forgotten = false;
  private released: Promise<void> | null = null;

  private constructor(
    private readonly store: AttuneStore,
    readonly personId: string,
    /** Unique per calibration: two calibrations of one person never share a claim, even in one process. */
    private readonly holder: string,
    private readonly logger: Logger,
  ) {}

  /**
   * Claims the person; null when another calibration (here or on another shard) holds them. Store
   * errors (database unreachable) propagate, with nothing left held.
   */
  static async take(store: AttuneStore, personId: string, logger: Logger): Promise<PersonHold | null> {
    const holder = `${process.pid}-${randomBytes(8).toString('hex')}`;
    if (!(await store.claimPerson(personId, holder, PERSON_LEASE_TTL_MS))) return null;
    const hold = new PersonHold(store, personId, holder, logger);
    try {
      hold.stopWatching = await store.watchForget(personId, () => hold.heardForget());
    } catch (error) {
      await hold.release();
      throw error;
    }
    hold.renewTimer = setInterval(() => void hold.renew(), PERSON_LEASE_RENEW_MS);
    // A held person must not keep the process alive at shutdown.
    hold.renewTimer.unref?.();
    return hold;
  }

  /** What to stop when the person is forgotten; runs at once if that already happened. */
  attach(onForget: () => void): void {
    this.onForget = onForget;
    if (this.forgotten) onForget();
  }

  /** Ends the claim and the watch (once; later calls return the same promise). Never rejects. */
  release(): Promise<void> {
    this.released ??= (async () => {
      if (this.renewTimer) clearInterval(this.renewTimer);
      this.renewTimer = null;
      this.stopWatching?.();
      this.stopWatching = null;
      try {
        await this.store.releasePerson(this.personId, this.holder);
      } catch (error) {
        // The claim runs out on its own within the TTL.
        this.logger.warn('calibrate.release_failed', { user: hashUserId(this.personId), error });
      }
    })();
    return this.released;
  }

  private heardForget(): void {
    if (this.released) return;
    this.forgotten = true;
    this.logger.info('calibrate.forgotten_elsewhere', { user: hashUserId(this.personId) });
    this.onForget?.();
  }

  private async renew(): Promise<void> {
    if (this.released) return;
    try {
      if (!(await this.store.claimPerson(this.personId, this.holder, PERSON_LEASE_TTL_MS))) {
        this.logger.warn('calibrate.lease_lost', { user: hashUserId(this.personId) });
      }
    } catch (error) {
      this.logger.warn('calibrate.lease_renew_failed', { user: hashUserId(this.personId), error });
    }
  }
}
