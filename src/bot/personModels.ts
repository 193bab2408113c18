import { isUsableModel } from '../ml/model';
import type { AttuneEngine } from '../ml/engine';
import type { PersonModel } from '../ml/types';
import { toLabelledSamples, type AttuneStore } from '../storage';
import { hashUserId, type Logger } from './util/log';

/** Why a model is retrained: it cannot be used as it is, or the person added a corrected sample. */
export type RetrainReason = 'outdated' | 'damaged' | 'corrected';

/**
 * The person models the bot reads with. A stored model from an older version of Attune (or one that
 * no longer parses) is not used: the person is read as if uncalibrated for that answer, and the
 * model is retrained from their stored samples in the background (once at a time per person), so
 * the next answer uses it. Samples the current version cannot use (voice clips measured by an older
 * feature extractor) are left out by training itself, which reports them.
 */
export class PersonModels {
  private readonly retraining = new Map<string, Promise<void>>();
  /** People whose samples changed while their retraining ran: one more follows it. */
  private readonly again = new Set<string>();

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

  /**
   * Retrains the person's model from their stored samples in the background, keeping its emotions:
   * a sample was just added (a corrected /ask). Meanwhile the current model keeps serving. When a
   * retraining is already under way it may have listed the samples before this one, so another
   * follows it (one, however many corrections arrive meanwhile).
   */
  retrainSoon(personId: string): void {
    if (this.retraining.has(personId)) this.again.add(personId);
    else this.retrain(personId, 'corrected', null);
  }

  /** Resolves when every retraining started so far, and any that follow them, has finished (tests, shutdown). */
  async settled(): Promise<void> {
    while (this.retraining.size > 0) await Promise.all([...this.retraining.values()]);
  }

  private retrain(personId: string, why: RetrainReason, old: PersonModel | null): void {
    if (this.retraining.has(personId)) return;
    const user = hashUserId(personId);
    const run = (async () => {
      const { store, engine, logger } = this.deps;
      const before = old ?? (await store.loadModel(personId).catch(() => null));
      const all = await store.listSamples(personId);
      const emotions =
        before && Array.isArray(before.emotions) && before.emotions.length >= 2
          ? before.emotions
          : [...new Set(all.map((s) => s.emotion))];
      // Samples of emotions the model does not know (another calibration's) are not its to learn.
      const samples = all.filter((s) => emotions.includes(s.emotion));
      const model = await engine.train(toLabelledSamples(samples), emotions);
      if (!model.ok) {
        logger.warn('model.retrain_failed', { user, why, code: model.code });
        return;
      }
      // The person may have run /forget meanwhile: only replace a model that is still there.
      if ((await store.listSamples(personId)).length === 0) return;
      // A calibration may have saved a model meanwhile, from samples this one may lack: keep it, and
      // retrain once more from everything (only when a model was there to compare with).
      if (before && (await store.loadModel(personId).catch(() => null))?.createdAt !== before.createdAt) {
        this.again.add(personId);
        return;
      }
      await store.saveModel(personId, model.value);
      logger.info('model.retrained', { user, why, samples: samples.length });
    })()
      .catch((error: unknown) => this.deps.logger.warn('model.retrain_failed', { user, why, error }))
      .finally(() => {
        this.retraining.delete(personId);
        if (this.again.delete(personId)) this.retrain(personId, 'corrected', null);
      });
    this.retraining.set(personId, run);
  }
}
