import { EndBehaviorType, type VoiceReceiver } from '@discordjs/voice';
import { fail, ok, type Result } from '../../ml/types';

/** Limits of one recording. */
export interface RecordOptions {
  /** Give up if the person has not started speaking within this long. */
  startTimeoutMs: number;
  /** The utterance ends after this much silence. */
  silenceMs: number;
  /** Hard cap on the utterance length (from its first packet). */
  maxMs: number;
  /** Aborting stops the recording (flow cancelled, /forget, shutdown). */
  signal?: AbortSignal;
  /** Called once when the first packet arrives (e.g. to show "hearing you…"). */
  onStart?: () => void;
}

/** A recorded utterance: the Opus packets in arrival order and when speech started and ended. */
export interface Utterance {
  packets: Buffer[];
  startedAt: number;
  endedAt: number;
}

/**
 * Records one person's next utterance from a voice connection's receiver. Audio is attributed by the
 * receiver to the user id (Discord maps each SSRC to its speaker), so people talking in the same
 * channel never end up in each other's clips.
 *
 * Failures are `Result`s: `silence` when nothing was said in time, `corrupt` when the receive stream
 * died (decrypt errors are a known real-Discord problem; the caller may retry or offer voice messages).
 */
export function recordUtterance(receiver: VoiceReceiver, userId: string, opts: RecordOptions): Promise<Result<Utterance>> {
  // An old subscription for this user (an earlier recording that has not closed yet) would be
  // returned by subscribe() as is and carry stale end rules, so close it first.
  receiver.subscriptions.get(userId)?.destroy();
  const stream = receiver.subscribe(userId, { end: { behavior: EndBehaviorType.AfterSilence, duration: opts.silenceMs } });
  const packets: Buffer[] = [];
  let startedAt = 0;

  return new Promise((resolve) => {
    let settled = false;
    let maxTimer: NodeJS.Timeout | null = null;
    const finish = (result: Result<Utterance>) => {
      if (settled) return;
      settled = true;
      clearTimeout(startTimer);
      if (maxTimer) clearTimeout(maxTimer);
      opts.signal?.removeEventListener('abort', onAbort);
      stream.removeAllListeners('data');
      if (!stream.destroyed) stream.destroy();
      resolve(result);
    };
    const done = () =>
      packets.length > 0
        ? finish(ok({ packets, startedAt, endedAt: Date.now() }))
        : finish(fail('silence', "I didn't hear anything from you."));
    const onAbort = () => finish(fail('invalid', 'The recording was stopped.'));

    const startTimer = setTimeout(() => {
      if (packets.length === 0) finish(fail('silence', `I didn't hear you speak within ${Math.round(opts.startTimeoutMs / 1000)} seconds.`));
    }, opts.startTimeoutMs);

    if (opts.signal?.aborted) return onAbort();
    opts.signal?.addEventListener('abort', onAbort, { once: true });

    stream.on('data', (packet: Buffer) => {
      if (packets.length === 0) {
        startedAt = Date.now();
        clearTimeout(startTimer);
        // The cap counts from the first word, not from when we started waiting.
        maxTimer = setTimeout(done, opts.maxMs);
        opts.onStart?.();
      }
      packets.push(packet);
    });
    stream.once('end', done);
    stream.once('close', done);
    stream.once('error', () => finish(fail('corrupt', 'Your audio stopped coming through the voice connection.')));
  });
}
