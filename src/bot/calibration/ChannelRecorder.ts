import type { Guild } from 'discord.js';
import type { AttuneStore } from '../../storage';
import type { VoiceRoute } from '../format/progress';
import { voiceAccess } from '../guards';
import { hashUserId, type Logger } from '../util/log';
import type { GuildVoice } from '../voice/GuildVoice';
import type { RecordOptions } from '../voice/recordUtterance';
import type { VoiceManager } from '../voice/VoiceManager';
import type { CalibrationFlow } from './CalibrationFlow';

/**
 * Voice clip limits in a calibration (the brief: stop after ~1 s of silence, at most ~10 s). A
 * person reading a sentence may pause longer than their client's voice detection bridges, so a
 * clip waits half a second after the client stops before it ends (latency matters less here).
 */
const CLIP: RecordOptions = {
  maxMs: 10_000,
  startTimeoutMs: 60_000,
  end: { afterStopMs: 500, gapMs: 1_000, quietMs: 1_000 },
};
/** Consecutive recordings heard but undecryptable before asking for voice messages instead. */
const MAX_STREAM_FAILURES = 3;

/** How the person hands in clips right now, as the progress message shows it. */
export interface VoiceView {
  route: VoiceRoute;
  /** Why clips go by message, or what happened to the voice channel. */
  note?: string;
  /** The person is speaking into a recording now. */
  hearing: boolean;
}

/** What the recorder uses of the bot. */
export interface RecorderServices {
  store: Pick<AttuneStore, 'getGuildSettings'>;
  voice: Pick<VoiceManager, 'acquire' | 'release'>;
  logger: Logger;
}

/** What the recorder tells its calibration. */
export interface RecorderHooks {
  /** {@link ChannelRecorder.view} changed. */
  changed(): void;
  /** Only `hearing` changed (it flips often: show it rate-limited). */
  hearingChanged(): void;
  /** A recorded clip was handed to the flow; `line` says how that went. */
  tookClip(line: string, accepted: boolean): Promise<void>;
}

/**
 * Records a calibration's clips in the person's voice channel while the flow wants them, one loop at
 * a time: the loop pauses while the current emotion only needs photos and starts again when one
 * needs clips. Falls back to voice messages (and says why) when the channel is not allowed, cannot
 * be joined, is lost, or its audio cannot be decrypted.
 */
export class ChannelRecorder {
  private readonly current: VoiceView = { route: 'messages', hearing: false };
  /** The loop while it runs. */
  private loop: Promise<void> | null = null;

  constructor(
    private readonly flow: CalibrationFlow,
    private readonly guild: Guild,
    private readonly services: RecorderServices,
    private readonly hooks: RecorderHooks,
  ) {}

  /** How the person hands in clips right now. */
  get view(): Readonly<VoiceView> {
    return this.current;
  }

  private get personId(): string {
    return this.flow.personId;
  }

  private log(event: string, extra: Record<string, unknown> = {}): void {
    this.services.logger.info(event, { guildId: this.guild.id, user: hashUserId(this.personId), ...extra });
  }

  /** Starts the loop if clips are wanted and the person is in a voice channel Attune may use (idempotent). */
  start(): void {
    if (this.loop || !this.flow.wants('voice')) return;
    const channelId = this.guild.members.cache.get(this.personId)?.voice.channelId;
    if (!channelId) return;
    let gaveUp = false;
    const routeBefore = this.current.route;
    if (this.current.route === 'messages' && !this.current.note) this.current.route = 'joining';
    // The server's settings come from the (asynchronous) store; the loop slot is taken at once so a
    // second call meanwhile does not start a second loop.
    this.loop = this.services.store
      .getGuildSettings(this.guild.id)
      .then(async (settings) => {
        const access = voiceAccess(settings, channelId);
        if (!access.ok) {
          gaveUp = true;
          this.current.route = routeBefore;
          this.current.note = `${access.reason ?? "I can't listen in your voice channel."} Please use voice messages instead.`;
          return this.hooks.changed();
        }
        return this.record(access.channelId);
      })
      .then(
        (outcome) => {
          gaveUp ||= outcome === 'gave_up';
        },
        (error: unknown) => {
          // Nothing may reject unobserved here: Node ends the process on an unhandled rejection.
          gaveUp = true;
          this.services.logger.error('calibrate.voice_loop_failed', {
            guildId: this.guild.id,
            user: hashUserId(this.personId),
            error,
          });
        },
      )
      .finally(() => {
        this.loop = null;
        this.services.voice.release(this.guild.id, this.personId);
        // Clips may have become wanted again between the loop's last check and now.
        if (!gaveUp && this.current.route === 'channel' && this.flow.wants('voice')) this.start();
      });
  }

  /** Records clips while the current emotion wants them; 'gave_up' when the channel is unusable. */
  private async record(channelId: string): Promise<'paused' | 'gave_up'> {
    const acquired = await this.services.voice.acquire(this.guild, channelId, this.personId);
    if (!acquired.ok) {
      this.giveUp(acquired.message);
      return 'gave_up';
    }
    const voice: GuildVoice = acquired.value;
    // "Say it in the voice channel" only once speech there can be decrypted (DAVE session ready).
    if (!(await voice.whenReceiveReady())) this.log('calibrate.voice_not_ready');
    voice.onLost(() => {
      if (this.flow.active)
        this.giveUp(
          'I lost the voice connection. Your clips so far are saved; please send the rest as voice messages.',
        );
    });
    // Collecting owns the recordings: leaving it (training, any end) aborts the one under way.
    const { state } = this.flow;
    if (state.status !== 'collecting') return 'paused';
    const stop = state.stop.signal;
    this.current.route = 'channel';
    this.current.note = undefined;
    this.hooks.changed();
    let failures = 0;
    while (this.flow.wants('voice') && !voice.destroyed && !stop.aborted) {
      const utterance = await voice.record(this.personId, {
        ...CLIP,
        signal: stop,
        onStart: () => this.setHearing(true),
      });
      this.setHearing(false);
      if (!utterance.ok) {
        if (utterance.code === 'silence') continue; // still waiting; the flow's idle timer ends an abandoned flow
        if (utterance.code !== 'undecryptable') return 'paused';
        failures++;
        this.log('calibrate.receive_stream_error', { failures });
        if (failures >= MAX_STREAM_FAILURES) {
          this.giveUp(
            "I can hear you talking but can't decrypt your audio in this voice channel. Your clips so far are saved; please send the rest as voice messages.",
          );
          return 'gave_up';
        }
        continue;
      }
      failures = 0;
      const { pcm } = utterance.value;
      const result = await this.flow.submitVoice(pcm, {
        source: 'voice_channel',
        durationSec: pcm.samples.length / pcm.sampleRate,
      });
      await this.hooks.tookClip(
        result.ok ? `✅ Got your ${result.value.emotion} clip.` : `❌ ${result.message}`,
        result.ok,
      );
    }
    if (voice.destroyed) {
      this.current.route = 'messages';
      return 'gave_up';
    }
    return 'paused';
  }

  /** Clips go by message from now on, and the person is told why. */
  private giveUp(why: string): void {
    this.current.route = 'messages';
    this.current.note = why;
    this.hooks.changed();
  }

  private setHearing(hearing: boolean): void {
    if (this.current.hearing === hearing) return;
    this.current.hearing = hearing;
    this.hooks.hearingChanged();
  }
}
