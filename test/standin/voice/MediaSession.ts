import type { DaveGroup, DaveParticipant } from './dave/DaveGroup';
import type { SimulatedMember } from './dave/SimulatedMember';
import { VoiceOp } from './opcodes';

/**
 * Everyone connected to one voice channel's call: the bot (once its session is described) and the
 * simulated users in the channel. Tells each who else is there (op 11 on connect, op 13 on
 * disconnect) and hands them to the channel's DAVE group when the call is end-to-end encrypted.
 */
export class MediaSession {
  private readonly participants = new Map<string, DaveParticipant>();
  /** Simulated users' clients, by user id. */
  readonly simulated = new Map<string, SimulatedMember>();

  constructor(
    readonly guildId: string,
    readonly channelId: string,
    readonly dave: DaveGroup | undefined,
  ) {}

  /** A participant joins the call (replacing an older connection of the same user). */
  connect(participant: DaveParticipant): void {
    const previous = this.participants.get(participant.userId);
    if (previous) this.disconnect(previous);
    const others = [...this.participants.values()];
    this.participants.set(participant.userId, participant);
    if (others.length > 0) participant.sendJson(VoiceOp.ClientsConnect, { user_ids: others.map((p) => p.userId) });
    for (const other of others) other.sendJson(VoiceOp.ClientsConnect, { user_ids: [participant.userId] });
    this.dave?.join(participant);
  }

  /** That participant leaves the call (no-op if a newer connection replaced it). */
  disconnect(participant: DaveParticipant): void {
    if (this.participants.get(participant.userId) !== participant) return;
    this.participants.delete(participant.userId);
    for (const other of this.participants.values())
      other.sendJson(VoiceOp.ClientDisconnect, { user_id: participant.userId });
    this.dave?.leave(participant.userId);
  }

  /** User ids in the call. */
  userIds(): string[] {
    return [...this.participants.keys()];
  }

  get empty(): boolean {
    return this.participants.size === 0;
  }
}
