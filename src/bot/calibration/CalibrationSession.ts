import {
  ActionRowBuilder,
  AttachmentBuilder,
  ButtonBuilder,
  ButtonStyle,
  type Guild,
  type InteractionEditReplyOptions,
} from 'discord.js';
import type { Result } from '../../ml/types';
import type { BotContext } from '../context';
import { formatProgress, type VoiceRoute } from '../format/progress';
import { confusionPng, formatReport } from '../format/report';
import { hashUserId } from '../util/log';
import type { GuildVoice } from '../voice/GuildVoice';
import type { RecordOptions } from '../voice/recordUtterance';
import { CalibrationFlow, type FlowEnd } from './CalibrationFlow';
import { consentText, consentTextVersion } from './consent';

/** One attachment of a message sent during a calibration. */
export interface MessageMedia {
  kind: 'image' | 'audio';
  /** Downloads it (lazily, so a refused flow downloads nothing). */
  bytes: () => Promise<Result<Uint8Array>>;
  name: string;
  contentType: string | null;
  voiceMessage: boolean;
}

/** Custom-id prefix of the calibration buttons: `cal:<action>:<userId>`. */
export const CALIBRATE_PREFIX = 'cal';

export type CalibrateAction = 'agree' | 'decline' | 'retake' | 'skip-face' | 'skip-voice' | 'cancel';

/** Something that can edit the flow's message (the slash command or the latest button press). */
export interface MessageEditor {
  editReply(options: InteractionEditReplyOptions): Promise<unknown>;
}

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
/** The "hearing you" indicator edits the message at most this often. */
const HEARING_EDIT_INTERVAL_MS = 1_500;

const ENDED_TEXT: Record<Exclude<FlowEnd, 'done'>, string> = {
  cancelled:
    'Calibration cancelled. Samples already taken are kept: `/calibrate` continues where you left off, `/forget` deletes them.',
  timed_out:
    'Calibration paused after a while without activity. Samples already taken are kept: run `/calibrate` again to continue.',
  forgotten: 'Calibration stopped: everything about you was deleted.',
  failed: 'Training failed. Your samples are kept; please run `/calibrate` again.',
  shut_down: 'Attune is restarting. Your samples are kept: run `/calibrate` to continue where you left off.',
};

/**
 * The Discord side of one person's calibration: renders the flow's consent screen and progress into
 * an ephemeral message, feeds it media from the voice channel and from messages, and runs training.
 */
export class CalibrationSession {
  readonly flow: CalibrationFlow;
  private editor: MessageEditor;
  private voiceRoute: VoiceRoute = 'messages';
  private voiceNote: string | undefined;
  private lastResult: string | undefined;
  private voiceLoop: Promise<void> | null = null;
  private readonly abort = new AbortController();
  private rendering: Promise<void> | null = null;
  private renderAgain = false;
  private hearing = false;
  private lastEditAt = 0;
  private hearingTimer: NodeJS.Timeout | null = null;
  private finished = false;
  private declined = false;
  /** The last message edit made when the flow ended (shutdown waits for it). */
  private endEdit: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly ctx: BotContext,
    readonly guild: Guild,
    editor: MessageEditor,
    opts: { personId: string; channelId: string; emotions: readonly string[]; target: number; restart: boolean },
    private readonly onEnded: (session: CalibrationSession) => void,
  ) {
    this.editor = editor;
    this.flow = new CalibrationFlow({
      ...opts,
      guildId: guild.id,
      store: ctx.store,
      engine: ctx.engine,
      idleMs: ctx.config.calibrationIdleMinutes * 60_000,
      consentVersion: consentTextVersion(ctx.reply.transcriber?.host ?? null),
      onEvent: (event) => {
        if (event.type === 'progress') {
          this.refresh();
          // The loop stops while the current emotion only needs photos; a new emotion may need clips again.
          if (this.flow.state === 'collecting') this.startVoice();
        } else this.ended(event.reason);
      },
    });
  }

  get personId(): string {
    return this.flow.personId;
  }

  get guildId(): string {
    return this.flow.guildId;
  }

  get channelId(): string {
    return this.flow.channelId;
  }

  get active(): boolean {
    return this.flow.active;
  }

  private log(event: string, extra: Record<string, unknown> = {}): void {
    this.ctx.logger.info(event, { guildId: this.guildId, user: hashUserId(this.personId), ...extra });
  }

  /** Shows the consent screen, or starts collecting when the person already agreed to this wording. */
  async begin(): Promise<void> {
    if (await this.flow.hasCurrentConsent()) {
      await this.flow.agree();
      await this.afterAgree();
    } else {
      await this.editor.editReply({
        content: consentText({
          emotions: this.flow.emotions,
          target: this.flow.target,
          keepRawMedia: this.ctx.config.keepRawMedia,
          transcriptionHost: this.ctx.reply.transcriber?.host ?? null,
        }),
        components: [
          this.row(['agree', 'I agree', ButtonStyle.Success], ['decline', 'No thanks', ButtonStyle.Secondary]),
        ],
      });
    }
  }

  /** A button of this session was pressed; `editor` is that button interaction (already acknowledged). */
  async press(action: CalibrateAction, editor: MessageEditor): Promise<void> {
    this.editor = editor;
    switch (action) {
      case 'agree': {
        const agreed = await this.flow.agree();
        if (!agreed.ok) return void this.note(agreed.message);
        this.log('calibrate.consented');
        return this.afterAgree();
      }
      case 'decline':
        this.declined = true;
        return this.flow.decline();
      case 'retake': {
        const undone = await this.flow.retakeLast();
        this.note(
          undone.ok
            ? `Removed your last ${undone.value.signal === 'face' ? 'photo' : 'clip'} for ${undone.value.emotion}; take it again.`
            : undone.message,
        );
        return;
      }
      case 'skip-face':
      case 'skip-voice': {
        const skipped = this.flow.skip(action === 'skip-face' ? 'face' : 'voice');
        if (!skipped.ok) return void this.note(skipped.message);
        return this.maybeTrain();
      }
      case 'cancel':
        return this.flow.cancel();
    }
  }

  private async afterAgree(): Promise<void> {
    // Voice first: it says "joining your voice channel" at once, so the first instruction a person in
    // a voice channel sees is not to send a voice message.
    this.startVoice();
    this.refresh();
    await this.maybeTrain();
  }

  /** Starts the voice-channel loop if the person is in an allowed voice channel (idempotent). */
  startVoice(): void {
    if (this.voiceLoop || !this.flow.wants('voice')) return;
    const member = this.guild.members.cache.get(this.personId);
    const channelId = member?.voice.channelId;
    if (!channelId) return;
    let gaveUp = false;
    const routeBefore = this.voiceRoute;
    if (this.voiceRoute === 'messages' && !this.voiceNote) this.voiceRoute = 'joining';
    // The server's settings come from the (asynchronous) store; the loop slot is taken at once so a
    // second call meanwhile does not start a second loop.
    this.voiceLoop = this.ctx.store
      .getGuildSettings(this.guildId)
      .then(async (settings) => {
        const refusal = !settings.voiceEnabled
          ? 'Voice channel recording is turned off in this server, so please use voice messages.'
          : settings.allowedChannelIds.length > 0 && !settings.allowedChannelIds.includes(channelId)
            ? "I'm not allowed in your voice channel here, so please use voice messages."
            : null;
        if (refusal) {
          gaveUp = true;
          this.voiceRoute = routeBefore;
          this.voiceNote = refusal;
          return this.refresh();
        }
        return this.runVoiceLoop(channelId);
      })
      .then(
        (outcome) => {
          gaveUp ||= outcome === 'gave_up';
        },
        (error) => {
          // Nothing may reject unobserved here: Node ends the process on an unhandled rejection.
          gaveUp = true;
          this.ctx.logger.error('calibrate.voice_loop_failed', {
            guildId: this.guildId,
            user: hashUserId(this.personId),
            error,
          });
        },
      )
      .finally(() => {
        this.voiceLoop = null;
        this.ctx.voice.release(this.guildId, this.personId);
        // Clips may have become wanted again between the loop's last check and now.
        if (!gaveUp && this.voiceRoute === 'channel' && this.flow.wants('voice')) this.startVoice();
      });
  }

  /** Records clips while the current emotion wants them; 'gave_up' when the channel is unusable. */
  private async runVoiceLoop(channelId: string): Promise<'paused' | 'gave_up'> {
    const acquired = await this.ctx.voice.acquire(this.guild, channelId, this.personId);
    if (!acquired.ok) {
      this.voiceRoute = 'messages';
      this.voiceNote = acquired.message;
      this.refresh();
      return 'gave_up';
    }
    const voice: GuildVoice = acquired.value;
    // "Say it in the voice channel" only once speech there can be decrypted (DAVE session ready).
    if (!(await voice.whenReceiveReady())) this.log('calibrate.voice_not_ready');
    voice.onLost(() => {
      if (!this.flow.active) return;
      this.voiceRoute = 'messages';
      this.voiceNote =
        'I lost the voice connection. Your clips so far are saved; please send the rest as voice messages.';
      this.refresh();
    });
    this.voiceRoute = 'channel';
    this.voiceNote = undefined;
    this.refresh();
    let failures = 0;
    while (this.flow.wants('voice') && !voice.destroyed && !this.abort.signal.aborted) {
      const utterance = await voice.record(this.personId, {
        ...CLIP,
        signal: this.abort.signal,
        onStart: () => this.setHearing(true),
      });
      this.setHearing(false);
      if (!utterance.ok) {
        if (utterance.code === 'silence') continue; // still waiting; the flow's idle timer ends an abandoned flow
        if (utterance.code !== 'corrupt') return 'paused';
        failures++;
        this.log('calibrate.receive_stream_error', { failures });
        if (failures >= MAX_STREAM_FAILURES) {
          this.voiceRoute = 'messages';
          this.voiceNote =
            "I can hear you talking but can't decrypt your audio in this voice channel. Your clips so far are saved; please send the rest as voice messages.";
          this.refresh();
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
      this.lastResult = result.ok ? `✅ Got your ${result.value.emotion} clip.` : `❌ ${result.message}`;
      this.refresh();
      if (result.ok) await this.maybeTrain();
    }
    if (voice.destroyed) {
      this.voiceRoute = 'messages';
      return 'gave_up';
    }
    return 'paused';
  }

  /** A message with attachments arrived from this person in the flow's channel. */
  async takeMessageMedia(items: readonly MessageMedia[]): Promise<void> {
    for (const item of items) {
      const bytes = await item.bytes();
      if (!bytes.ok) {
        this.lastResult = `❌ ${item.name}: ${bytes.message}`;
        continue;
      }
      const meta = {
        source: item.voiceMessage ? ('voice_message' as const) : ('attachment' as const),
        mimeType: item.contentType ?? undefined,
        fileName: item.voiceMessage ? undefined : item.name,
      };
      const result =
        item.kind === 'image'
          ? await this.flow.submitFace(bytes.value, meta)
          : await this.flow.submitVoice(bytes.value, meta);
      this.lastResult = result.ok
        ? `✅ Got your ${result.value.emotion} ${result.value.signal === 'face' ? 'photo' : 'clip'}.`
        : `❌ ${result.message}`;
    }
    this.refresh();
    await this.maybeTrain();
  }

  private async maybeTrain(): Promise<void> {
    if (!this.flow.isComplete() || this.finished) return;
    this.finished = true;
    this.abort.abort();
    await this.editor
      .editReply({ content: '⏳ Training your personal model… (this takes a few seconds)', components: [] })
      .catch(() => undefined);
    const started = Date.now();
    const model = await this.flow.train();
    this.log('calibrate.trained', { ok: model.ok, ms: Date.now() - started });
    if (!model.ok) return;
    const png = await confusionPng(model.value.report.confusion);
    await this.editor.editReply({
      content: formatReport(model.value.report),
      components: [],
      files: [
        new AttachmentBuilder(png, {
          name: 'confusion-matrix.png',
          description: 'Confusion matrix of your calibration',
        }),
      ],
    });
  }

  /** Shows or clears "hearing you"; rate-limited, since a person may start and stop often. */
  private setHearing(hearing: boolean): void {
    if (this.hearing === hearing) return;
    this.hearing = hearing;
    if (this.hearingTimer) return;
    const wait = this.lastEditAt + HEARING_EDIT_INTERVAL_MS - Date.now();
    if (wait <= 0) return this.refresh();
    this.hearingTimer = setTimeout(() => {
      this.hearingTimer = null;
      this.refresh();
    }, wait);
    this.hearingTimer.unref?.();
  }

  /** Re-renders the progress message; edits are coalesced so a burst of samples makes one or two edits. */
  refresh(): void {
    if (this.finished && this.flow.state !== 'collecting') return;
    if (this.rendering) {
      this.renderAgain = true;
      return;
    }
    this.rendering = (async () => {
      do {
        this.renderAgain = false;
        if (this.flow.state !== 'collecting') break;
        const content = [
          formatProgress(this.flow.progress(), { route: this.voiceRoute, note: this.voiceNote, hearing: this.hearing }),
          this.lastResult ?? '',
        ]
          .filter(Boolean)
          .join('\n');
        this.lastEditAt = Date.now();
        await this.editor
          .editReply({ content, components: this.collectingButtons() })
          .catch((error) => this.ctx.logger.warn('calibrate.edit_failed', { guildId: this.guildId, error }));
      } while (this.renderAgain);
    })().finally(() => {
      this.rendering = null;
    });
  }

  private note(text: string): void {
    this.lastResult = text;
    this.refresh();
  }

  private collectingButtons(): ActionRowBuilder<ButtonBuilder>[] {
    const p = this.flow.progress();
    const buttons: Array<[CalibrateAction, string, ButtonStyle]> = [['retake', 'Retake last', ButtonStyle.Secondary]];
    if (!p.skipped.includes('face') && !p.skipped.includes('voice')) {
      buttons.push(
        ['skip-face', 'Skip photos', ButtonStyle.Secondary],
        ['skip-voice', 'Skip voice', ButtonStyle.Secondary],
      );
    }
    buttons.push(['cancel', 'Cancel', ButtonStyle.Danger]);
    return [this.row(...buttons)];
  }

  private row(...buttons: Array<[CalibrateAction, string, ButtonStyle]>): ActionRowBuilder<ButtonBuilder> {
    return new ActionRowBuilder<ButtonBuilder>().addComponents(
      buttons.map(([action, label, style]) =>
        new ButtonBuilder()
          .setCustomId(`${CALIBRATE_PREFIX}:${action}:${this.personId}`)
          .setLabel(label)
          .setStyle(style),
      ),
    );
  }

  private ended(reason: FlowEnd): void {
    this.abort.abort();
    this.log('calibrate.ended', { reason });
    if (reason !== 'done') {
      const text = this.declined ? 'No problem: nothing was recorded or stored.' : ENDED_TEXT[reason];
      this.endEdit = this.editor.editReply({ content: text, components: [] }).catch(() => undefined);
    }
    this.onEnded(this);
  }

  /** Attune is stopping: end the flow and resolve once the person has been told. */
  async shutDown(): Promise<void> {
    this.flow.shutDown();
    await this.endEdit;
  }

  /** /forget: stop without touching the store (it is being emptied). */
  forget(): void {
    this.flow.forget();
  }
}
