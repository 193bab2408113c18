import { isUsableModel } from '../ml/model';
import type { AttuneEngine } from '../ml/engine';
import type { PersonModel } from '../ml/types';
import { toLabelledSamples, type AttuneStore } from '../storage';
import { hashUserId, type Logger } from './util/log';

/** Why a stored model cannot be used as it is. */
export type ModelTrouble = 'outdated' | 'damaged';

/**
 * The person models the bot reads with. A stored model from an older version of Attune (or one that
 * no longer parses) is not used: the person is read as if uncalibrated for that answer, and the
 * model is retrained from their stored samples in the background (once at a time per person), so
 * the next answer uses it. Samples the current version cannot use (voice clips measured by an older
 * feature extractor) are left out by training itself, which reports them.
 */
export class PersonModels {
  private readonly retraining = new Map<string, Promise<void>>();

  constructor(private readonly deps: { store: AttuneStore; engine: AttuneEngine; logger: Logger }) {}

  /** The person's usable model, or null (none, or being rebuilt: see `rebuilding`). */
  async current(personId: string): Promise<PersonModel | null> {
    let stored: PersonModel | null;
    try {
      stored = await this.deps.store.loadModel(personId);
    } catch (error) {
      this.deps.logger.warn('model.unreadable', { user: hashUserId(personId), error });
      this.retrain(personId, 'damaged', null);
      return null;
    }
    if (!stored || isUsableModel(stored)) return stored;
    this.retrain(personId, 'outdated', stored);
    return null;
  }

  /** Whether a retraining of this person's model is under way. */
  rebuilding(personId: string): boolean {
    return this.retraining.has(personId);
  }

  /** Resolves when every retraining started so far has finished (tests, shutdown). */
  async settled(): Promise<void> {
    await Promise.all([...this.retraining.values()]);
  }

  private retrain(personId: string, why: ModelTrouble, old: PersonModel | null): void {
    if (this.retraining.has(personId)) return;
    const user = hashUserId(personId);
    const run = (async () => {
      const { store, engine, logger } = this.deps;
      const samples = await store.listSamples(personId);
      const emotions = old && Array.isArray(old.emotions) && old.emotions.length >= 2 ? old.emotions : [...new Set(samples.map((s) => s.emotion))];
      const model = await engine.train(toLabelledSamples(samples), emotions);
      if (!model.ok) {
        logger.warn('model.retrain_failed', { user, why, code: model.code });
        return;
      }
      // The person may have run /forget meanwhile: only replace a model that is still there.
      if ((await store.listSamples(personId)).length === 0) return;
      await store.saveModel(personId, model.value);
      logger.info('model.retrained', { user, why, samples: samples.length });
    })()
      .catch((error: unknown) => this.deps.logger.warn('model.retrain_failed', { user, why, error }))
      .finally(() => this.retraining.delete(personId));
    this.retraining.set(personId, run);
  }
}
