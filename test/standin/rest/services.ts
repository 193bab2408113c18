import type { InteractionRegistry } from '../interactions/InteractionRegistry';
import type { StandinLogger } from '../util/log';
import type { Json } from '../world/types';
import type { World } from '../world/World';

/** What REST routes need from the rest of the stand-in. */
export interface RestServices {
  world: World;
  interactions: InteractionRegistry;
  /** The bot token the REST server accepts (`Authorization: Bot <token>`). */
  token: string;
  /** Sends a gateway dispatch to the bot. */
  dispatch: (event: string, data: Json) => void;
  /** The gateway URL handed out by `GET /gateway/bot`. */
  gatewayUrl: () => string;
  /** `shards` in `GET /gateway/bot`. */
  recommendedShards: number;
  /** `session_start_limit.max_concurrency` in `GET /gateway/bot`. */
  maxConcurrency: number;
  /** How long after dispatch an interaction may still be acknowledged (Discord: 3 s). */
  ackDeadlineMs: number;
  log: StandinLogger;
}
