import { fail, ok, type Pcm, type Result } from '../../ml/types';
import type { VoiceFailureCode } from '../errors';
import { OpusFrameDecoder } from './OpusFrameDecoder';
import { noDrops, type DropReason, type ReceiveEvent, type ReceivePath } from './ReceivePath';

/**
 * When an utterance ends. Three rules, whichever comes first after speech started:
 * - the speaker's client stopped: Discord clients send five silence frames when their voice
 *   activity detection lets go (it already bridges short pauses), then nothing: the utterance ends
 *   `afterStopMs` after the last silence frame unless speech resumes;
 * - packets stopped without silence frames (lost, or a client that just stops): `gapMs`;
 * - an open microphone that keeps sending: `quietMs` of decoded audio under the speech level.
 */
export interface EndOfSpeech {
  afterStopMs: number;
  gapMs: number;
  quietMs: number;
}

/** Limits of one recording. */
export interface RecordOptions {
  /** Give up if the person has not started speaking within this long. */
  startTimeoutMs: number;
  /** Hard cap on the utterance length (from its first frame). */
  maxMs: number;
  end: EndOfSpeech;
  /** Aborting stops the recording (flow cancelled, /forget, shutdown). */
  signal?: AbortSignal;
  /** Called once when the first audio arrives (e.g. to show "hearing you…"). */
  onStart?: () => void;
}

/** Per-utterance counters (logged; never audio, never ids). */
export interface UtteranceCounts {
  /** Packets from the person while recording. */
  received: number;
  audio: number;
  silence: number;
  dropped: Record<DropReason, number>;
  /** Frames of speech lost to failed decryption, kept as 20 ms of silence so timing holds. */
  concealed: number;
  /** Frames the decoder rejected (also kept as silence). */
  undecodable: number;
}

/**
 * An utterance, or why there is none: 'silence' (nobody spoke in time, the one media failure) or a
 * {@link VoiceFailureCode}.
 */
export type RecordResult = Result<Utterance, 'silence' | VoiceFailureCode>;

export type EndReason = 'client_stopped' | 'gap' | 'quiet' | 'max_length';

/** A recorded utterance: decoded audio (16 kHz mono), timing, and what the receive path saw. */
export interface Utterance {
  pcm: Pcm;
  startedAt: number;
  endedAt: number;
  endReason: EndReason;
  counts: UtteranceCounts;
}

/** 20 ms frames, as Discord sends. */
const FRAME_MS = 20;
/** Audio this far under the loudest frame so far, or under the floor, counts as a pause. */
const QUIET_BELOW_PEAK_DB = 30;
const QUIET_FLOOR_DB = -55;
/** Frames never seen (a sequence gap) up to this are concealed as silence; a longer gap is a real break. */
const MAX_CONCEALED_GAP = 10;
/** Undecryptable speech frames before the start that make "nothing heard" a decryption problem. */
const UNREADABLE_SPEECH_FRAMES = 25;

/**
 * Records one person's next utterance through Attune's receive path, decoding each frame as it
 * arrives (so the clip is ready the moment speech ends) to 16 kHz mono, the analysis rate.
 *
 * Failures are `Result`s: `silence` when nothing was said in time; `corrupt` when the person was
 * heard talking but nothing of it could be decrypted (the caller may offer voice messages).
 */
export function recordUtterance(
  path: Pick<ReceivePath, 'listen'>,
  userId: string,
  opts: RecordOptions,
): Promise<RecordResult> {
  const counts: UtteranceCounts = {
    received: 0,
    audio: 0,
    silence: 0,
    dropped: noDrops(),
    concealed: 0,
    undecodable: 0,
  };
  const decoder = new OpusFrameDecoder();
  let startedAt = 0;
  /** Last packet of any kind, last one that was (or may have been) speech, last silence frame. */
  let lastPacketAt = 0;
  let lastSpeechAt = 0;
  let stoppedAt = 0;
  let quietFrames = 0;
  let peakDb = -Infinity;
  let lastSequence: number | undefined;
  let pendingLoss = 0;
  let unreadableBeforeStart = 0;

  return new Promise((resolve) => {
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    let unlisten: () => void = () => undefined;
    const finish = (result: RecordResult) => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      unlisten();
      opts.signal?.removeEventListener('abort', onAbort);
      decoder.close();
      resolve(result);
    };
    const end = (endReason: EndReason) =>
      finish(
        ok({
          pcm: decoder.pcm(),
          startedAt,
          endedAt: Date.now(),
          endReason,
          counts: { ...counts, undecodable: decoder.rejected },
        }),
      );
    const onAbort = () => finish(fail('stopped', 'The recording was stopped.'));

    const schedule = () => {
      if (timer) clearTimeout(timer);
      const now = Date.now();
      if (!startedAt) {
        timer = setTimeout(
          () => {
            if (unreadableBeforeStart >= UNREADABLE_SPEECH_FRAMES) {
              finish(fail('undecryptable', "I could hear you talking, but your audio couldn't be decrypted."));
            } else
              finish(
                fail('silence', `I didn't hear you speak within ${Math.round(opts.startTimeoutMs / 1000)} seconds.`),
              );
          },
          Math.max(0, startDeadline - now),
        );
        return;
      }
      const candidates: Array<[number, EndReason]> = [
        [startedAt + opts.maxMs, 'max_length'],
        [lastPacketAt + opts.end.gapMs, 'gap'],
      ];
      if (stoppedAt > lastSpeechAt) candidates.push([stoppedAt + opts.end.afterStopMs, 'client_stopped']);
      const [at, reason] = candidates.reduce((a, b) => (b[0] < a[0] ? b : a));
      timer = setTimeout(() => end(reason), Math.max(0, at - now));
    };

    const onEvent = (event: ReceiveEvent) => {
      if (settled) return;
      counts.received++;
      if (event.type === 'dropped') {
        counts.dropped[event.reason]++;
        if (!startedAt) {
          if (event.speech) unreadableBeforeStart++;
          return;
        }
        // Packets keep coming, so the client has not stopped; speech we could not read also means
        // the person is still talking, and its frames are kept as silence for the timing.
        lastPacketAt = event.at;
        lastSequence = event.sequence;
        if (event.speech) {
          lastSpeechAt = event.at;
          quietFrames = 0;
          pendingLoss++;
        }
        schedule();
        return;
      }
      if (event.type === 'silence') {
        counts.silence++;
        if (!startedAt) return;
        lastPacketAt = stoppedAt = event.at;
        lastSequence = event.sequence;
        schedule();
        return;
      }
      counts.audio++;
      if (!startedAt) {
        startedAt = event.at;
        opts.onStart?.();
      } else {
        // Frames lost on the way (a sequence gap) or dropped undecrypted become silence of their length.
        const gap = lastSequence === undefined ? 0 : (event.sequence - lastSequence - 1) & 0xffff;
        const missing = pendingLoss + (gap <= MAX_CONCEALED_GAP ? gap : 0);
        if (missing > 0) {
          decoder.conceal(missing);
          counts.concealed += missing;
        }
      }
      pendingLoss = 0;
      lastSequence = event.sequence;
      lastPacketAt = lastSpeechAt = event.at;
      const levelDb = decoder.decode(event.opus);
      if (levelDb > peakDb) peakDb = levelDb;
      // Pauses count only once there was speech: clips often open with a stretch of room tone.
      const quiet = levelDb < QUIET_FLOOR_DB || levelDb < peakDb - QUIET_BELOW_PEAK_DB;
      quietFrames = quiet && peakDb >= QUIET_FLOOR_DB ? quietFrames + 1 : 0;
      if (quietFrames * FRAME_MS >= opts.end.quietMs) return end('quiet');
      if (decoder.durationMs >= opts.maxMs) return end('max_length');
      schedule();
    };

    const startDeadline = Date.now() + opts.startTimeoutMs;
    if (opts.signal?.aborted) return onAbort();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    unlisten = path.listen(userId, onEvent);
    schedule();
  });
}
