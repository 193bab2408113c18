import type { InteractionEditReplyOptions } from 'discord.js';

/** Something that can edit the flow's message (the slash command or the latest button press). */
export interface MessageEditor {
  editReply(options: InteractionEditReplyOptions): Promise<unknown>;
}

/** The "hearing you" indicator edits the message at most this often. */
export const THROTTLED_EDIT_INTERVAL_MS = 1_500;

/**
 * A calibration's ephemeral message, edited in place. Progress edits are coalesced (a burst of
 * samples makes one or two edits, each showing the latest progress) and can be rate-limited (a
 * person may start and stop talking often).
 */
export class ProgressMessage {
  private rendering = false;
  private renderAgain = false;
  private lastEditAt = 0;
  private throttle: NodeJS.Timeout | null = null;

  /**
   * @param draw the progress to show now, or null when there is none to show (the calibration is no
   * longer collecting): a pending edit is then dropped.
   * @param onEditFailed a progress edit failed (the next one may succeed; the flow goes on)
   */
  constructor(
    private editor: MessageEditor,
    private readonly draw: () => InteractionEditReplyOptions | null,
    private readonly onEditFailed: (error: unknown) => void,
  ) {}

  /** Edits through `editor` from now on (each button press brings a fresh interaction to edit with). */
  useEditor(editor: MessageEditor): void {
    this.editor = editor;
  }

  /** Re-renders the progress now, or right after the edit in flight. */
  refresh(): void {
    if (this.rendering) {
      this.renderAgain = true;
      return;
    }
    this.rendering = true;
    void (async () => {
      try {
        do {
          this.renderAgain = false;
          const view = this.draw();
          if (!view) break;
          this.lastEditAt = Date.now();
          await this.editor.editReply(view).catch(this.onEditFailed);
        } while (this.renderAgain);
      } finally {
        this.rendering = false;
      }
    })();
  }

  /** Re-renders the progress, at most once per {@link THROTTLED_EDIT_INTERVAL_MS}. */
  refreshThrottled(): void {
    if (this.throttle) return;
    const wait = this.lastEditAt + THROTTLED_EDIT_INTERVAL_MS - Date.now();
    if (wait <= 0) return this.refresh();
    this.throttle = setTimeout(() => {
      this.throttle = null;
      this.refresh();
    }, wait);
    this.throttle.unref?.();
  }

  /** Replaces the message outright (training, the report, the end); the caller handles failures. */
  replace(options: InteractionEditReplyOptions): Promise<unknown> {
    this.stop();
    return this.editor.editReply(options);
  }

  /** Drops a throttled refresh that has not run yet. */
  stop(): void {
    if (this.throttle) clearTimeout(this.throttle);
    this.throttle = null;
  }
}
