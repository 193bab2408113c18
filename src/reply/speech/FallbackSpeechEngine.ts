/** Speak with a primary engine; if it fails before producing any audio, speak with a fallback instead. */
import type { PcmChunk, Logger, SpeechEngine, SpeechStyle } from '../types';

export class FallbackSpeechEngine implements SpeechEngine {
  readonly name: string;

  constructor(
    private readonly primary: SpeechEngine,
    private readonly fallback: SpeechEngine,
    private readonly logger: Logger,
  ) {
    this.name = primary.name;
  }

  async *synthesize(text: string, style: SpeechStyle): AsyncGenerator<PcmChunk> {
    let produced = false;
    try {
      for await (const chunk of this.primary.synthesize(text, style)) {
        produced = true;
        yield chunk;
      }
      return;
    } catch (error) {
      // Half an answer followed by a different voice would be worse than an error the caller can report.
      if (produced) throw error;
      this.logger.warn('reply.speech_fell_back', {
        engine: this.primary.name,
        fallback: this.fallback.name,
        reason: (error as Error).message,
      });
    }
    yield* this.fallback.synthesize(text, style);
  }

  async close(): Promise<void> {
    await Promise.all([this.primary.close(), this.fallback.close()]);
  }
}
