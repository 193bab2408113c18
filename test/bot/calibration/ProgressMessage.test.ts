import type { InteractionEditReplyOptions } from 'discord.js';
import { ProgressMessage, THROTTLED_EDIT_INTERVAL_MS } from '../../../src/bot/calibration/ProgressMessage';

/** An editor whose edits resolve when the test says so. */
class GatedEditor {
  readonly edits: string[] = [];
  private pending: Array<() => void> = [];

  editReply(options: InteractionEditReplyOptions): Promise<unknown> {
    this.edits.push(String(options.content));
    return new Promise((resolve) => this.pending.push(() => resolve(undefined)));
  }

  /** Lets every edit in flight finish. */
  async settle(): Promise<void> {
    for (let i = 0; i < 5; i++) {
      const pending = this.pending;
      this.pending = [];
      for (const resolve of pending) resolve();
      await new Promise((r) => setImmediate(r));
    }
  }
}

describe('ProgressMessage', () => {
  let editor: GatedEditor;
  let content: string | null;
  let failures: unknown[];
  const make = () =>
    new ProgressMessage(
      editor,
      () => (content === null ? null : { content }),
      (error) => failures.push(error),
    );

  beforeEach(() => {
    editor = new GatedEditor();
    content = 'p1';
    failures = [];
  });
  afterEach(() => jest.useRealTimers());

  it('coalesces a burst of refreshes into the edit in flight and one more, showing the latest', async () => {
    const message = make();
    message.refresh();
    for (const n of [2, 3, 4]) {
      content = `p${n}`;
      message.refresh();
    }
    expect(editor.edits).toEqual(['p1']);
    await editor.settle();
    expect(editor.edits).toEqual(['p1', 'p4']);
    // Once idle, the next refresh edits at once.
    content = 'p5';
    message.refresh();
    expect(editor.edits).toEqual(['p1', 'p4', 'p5']);
  });

  it('drops a pending edit once there is nothing to show', async () => {
    const message = make();
    message.refresh();
    message.refresh();
    content = null;
    await editor.settle();
    expect(editor.edits).toEqual(['p1']);
  });

  it('keeps going after a failed edit, and reports it', async () => {
    const failing = { editReply: () => Promise.reject(new Error('Unknown Message')) };
    const message = new ProgressMessage(
      failing,
      () => ({ content: 'x' }),
      (error) => failures.push(error),
    );
    message.refresh();
    await new Promise((r) => setImmediate(r));
    message.refresh();
    await new Promise((r) => setImmediate(r));
    expect(failures).toHaveLength(2);
  });

  it('rate-limits throttled refreshes, and stop() drops one not yet made', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate'] });
    const message = make();
    message.refreshThrottled(); // nothing edited lately: at once
    expect(editor.edits).toEqual(['p1']);
    await editor.settle();
    content = 'p2';
    message.refreshThrottled();
    message.refreshThrottled();
    expect(editor.edits).toEqual(['p1']);
    jest.advanceTimersByTime(THROTTLED_EDIT_INTERVAL_MS);
    expect(editor.edits).toEqual(['p1', 'p2']);
    await editor.settle();
    content = 'p3';
    message.refreshThrottled();
    message.stop();
    jest.advanceTimersByTime(THROTTLED_EDIT_INTERVAL_MS * 2);
    expect(editor.edits).toEqual(['p1', 'p2']);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('replace edits through the latest editor and cancels a throttled refresh', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate'] });
    const message = make();
    message.refresh();
    await editor.settle();
    message.refreshThrottled();
    const next = new GatedEditor();
    message.useEditor(next);
    void message.replace({ content: 'done' });
    jest.advanceTimersByTime(THROTTLED_EDIT_INTERVAL_MS * 2);
    expect(next.edits).toEqual(['done']);
    expect(editor.edits).toEqual(['p1']);
  });
});
