/** What the registry needs to know about a flow. */
export interface RegisteredFlow {
  readonly personId: string;
  readonly guildId: string;
  readonly active: boolean;
}

/**
 * Active calibrations keyed by guild and user. A person's samples are stored per person, not per
 * server, so one person has at most one active flow anywhere (two would interleave their counts).
 */
export class FlowRegistry<Flow extends RegisteredFlow> {
  private readonly flows = new Map<string, Flow>();

  private static key(guildId: string, userId: string): string {
    return `${guildId}:${userId}`;
  }

  get(guildId: string, userId: string): Flow | undefined {
    const flow = this.flows.get(FlowRegistry.key(guildId, userId));
    return flow?.active ? flow : undefined;
  }

  /** The person's active flow in any server. */
  findByUser(userId: string): Flow | undefined {
    for (const flow of this.flows.values()) if (flow.personId === userId && flow.active) return flow;
    return undefined;
  }

  /** Registers a new flow; the caller checked {@link findByUser} first. */
  add(flow: Flow): void {
    this.flows.set(FlowRegistry.key(flow.guildId, flow.personId), flow);
  }

  /** Forgets a flow that ended (keeps the map small over a long run). */
  remove(flow: Flow): void {
    const key = FlowRegistry.key(flow.guildId, flow.personId);
    if (this.flows.get(key) === flow) this.flows.delete(key);
  }

  /** Active flows in one server (to tell them when its voice connection is lost). */
  inGuild(guildId: string): Flow[] {
    return [...this.flows.values()].filter((f) => f.guildId === guildId && f.active);
  }

  /** All active flows. */
  all(): Flow[] {
    return [...this.flows.values()].filter((f) => f.active);
  }
}
