import {
  AudioPlayerStatus,
  createAudioPlayer,
  createAudioResource,
  entersState,
  NoSubscriberBehavior,
  StreamType,
  VoiceConnectionStatus,
  type AudioPlayer,
  type VoiceConnection,
} from '@discordjs/voice';
import type { Readable } from 'node:stream';
import { fail } from '../../ml/types';
import type { Logger } from '../util/log';
import { ReceivePath } from './ReceivePath';
import { recordUtterance, type RecordOptions, type RecordResult } from './recordUtterance';

/** How long a dropped connection may take to start recovering before we give up on it. */
export const RECONNECT_GRACE_MS = 5_000;
/** Before speaking to someone, wait until they have been quiet this long (never talk over them)... */
const LET_FINISH_QUIET_MS = 250;
/** ...but not longer than this (someone who talks on and on still gets the answer). */
const LET_FINISH_MAX_MS = 10_000;

/**
 * Attune's one voice connection in one server, shared by every flow there: it records people one
 * utterance at a time each (attributed per user) and plays replies through one audio player.
 */
export class GuildVoice {
  readonly player: AudioPlayer;
  /** Attune's own receive path (see ReceivePath for why not the library's streams). */
  readonly receive: ReceivePath;
  /** Users being recorded right now: a second recording of the same person would steal the first's packets. */
  private readonly recording = new Set<string>();
  private playQueue: Promise<void> = Promise.resolve();
  private lostHandlers: Array<() => void> = [];
  private destroyedValue = false;

  constructor(
    readonly guildId: string,
    readonly connection: VoiceConnection,
    private readonly logger: Logger,
  ) {
    this.receive = new ReceivePath(connection, logger, { guildId, measure: true });
    this.player = createAudioPlayer({ behaviors: { noSubscriber: NoSubscriberBehavior.Pause } });
    connection.subscribe(this.player);
    this.player.on('error', (error) => this.logger.warn('voice.play_error', { guildId, error }));
    connection.on('stateChange', (_old, next) => {
      if (next.status === VoiceConnectionStatus.Disconnected) void this.recover();
      if (next.status === VoiceConnectionStatus.Destroyed) this.markLost();
    });
  }

  get channelId(): string | null {
    return this.connection.joinConfig.channelId;
  }

  get destroyed(): boolean {
    return this.destroyedValue;
  }

  /** Called once when the connection is gone for good (flows then fall back to voice messages). */
  onLost(handler: () => void): void {
    this.lostHandlers.push(handler);
  }

  isRecording(userId: string): boolean {
    return this.recording.has(userId);
  }

  /** Records one utterance of `userId`. One recording per person at a time. */
  async record(userId: string, opts: RecordOptions): Promise<RecordResult> {
    if (this.destroyedValue) return fail('not_connected', 'Attune is no longer in the voice channel.');
    if (this.recording.has(userId))
      return fail('already_recording', 'Attune is already listening to you for something else.');
    this.recording.add(userId);
    try {
      const utterance = await recordUtterance(this.receive, userId, opts);
      if (utterance.ok) {
        const { counts, endReason } = utterance.value;
        const { pcm } = utterance.value;
        this.logger.info('voice.utterance', {
          guildId: this.guildId,
          endReason,
          ms: utterance.value.endedAt - utterance.value.startedAt,
          seconds: pcm.samples.length / pcm.sampleRate,
          ...counts,
        });
      }
      return utterance;
    } finally {
      this.recording.delete(userId);
    }
  }

  /**
   * Plays raw 48 kHz stereo s16le PCM; resolves when it has finished. Replies queue behind each
   * other instead of cutting each other off. With `afterQuiet`, playback waits until that person
   * has stopped talking: Attune never speaks over the person it is answering.
   */
  play(pcm: Readable, opts: { afterQuiet?: string } = {}): Promise<void> {
    const run = async () => {
      if (this.destroyedValue) return;
      if (opts.afterQuiet) await this.untilQuiet(opts.afterQuiet);
      if (this.destroyedValue) return;
      const resource = createAudioResource(pcm, { inputType: StreamType.Raw });
      this.player.play(resource);
      try {
        await entersState(this.player, AudioPlayerStatus.Playing, 10_000);
        await entersState(this.player, AudioPlayerStatus.Idle, 5 * 60_000);
      } catch (error) {
        this.logger.warn('voice.play_stalled', { guildId: this.guildId, error });
        this.player.stop(true);
      }
    };
    const next = this.playQueue.then(run, run);
    this.playQueue = next.catch(() => undefined);
    return next;
  }

  /**
   * Resolves true once received audio can be read (in an end-to-end encrypted call: once our DAVE
   * session is ready), false after `timeoutMs`. Recording before that would only drop frames, so
   * flows ask people to speak after it.
   */
  async whenReceiveReady(timeoutMs = 10_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.receive.ready) {
      if (this.destroyedValue || Date.now() >= deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    return true;
  }

  private async untilQuiet(userId: string): Promise<void> {
    const deadline = Date.now() + LET_FINISH_MAX_MS;
    while (!this.receive.isQuiet(userId, LET_FINISH_QUIET_MS) && Date.now() < deadline && !this.destroyedValue) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  // A Disconnected connection is often a channel move or a voice server change: it recovers by
  // itself if it starts signalling or connecting again soon. Otherwise it is dead.
  private async recover(): Promise<void> {
    try {
      await Promise.race([
        entersState(this.connection, VoiceConnectionStatus.Signalling, RECONNECT_GRACE_MS),
        entersState(this.connection, VoiceConnectionStatus.Connecting, RECONNECT_GRACE_MS),
      ]);
      this.logger.info('voice.reconnecting', { guildId: this.guildId });
    } catch {
      this.logger.warn('voice.lost', { guildId: this.guildId });
      this.destroy();
    }
  }

  private markLost(): void {
    if (this.destroyedValue) return;
    this.destroyedValue = true;
    this.receive.close();
    this.player.stop(true);
    const handlers = this.lostHandlers;
    this.lostHandlers = [];
    for (const h of handlers) h();
  }

  /** Leaves the channel. */
  destroy(): void {
    if (this.connection.state.status !== VoiceConnectionStatus.Destroyed) this.connection.destroy();
    this.markLost();
  }
}
