import type { AttuneEngine } from '../ml/engine';
import type { AttuneStore } from '../storage';
import type { PendingCorrections } from './ask/PendingCorrections';
import type { CalibrationSessions } from './calibration/CalibrationSessions';
import type { BotConfig } from './config';
import type { PersonModels } from './personModels';
import type { ReplyServices } from '../reply';
import type { AttachmentInfo, DownloadResult } from './util/attachments';
import type { Logger } from './util/log';
import type { VoiceManager } from './voice/VoiceManager';
import type { VoiceMessageEncoder } from './voice/voiceMessage';

/** Everything a command needs, handed in (no globals), so tests can build it with fakes. */
export interface BotContext {
  config: BotConfig;
  store: AttuneStore;
  engine: AttuneEngine;
  logger: Logger;
  voice: VoiceManager;
  reply: ReplyServices;
  /** Spoken answers as Discord voice messages, encoded off the main thread; null: none are sent. */
  voiceMessages: VoiceMessageEncoder | null;
  calibrations: CalibrationSessions;
  /** People's models as the bot reads with them (outdated ones are rebuilt in the background). */
  models: PersonModels;
  /** Recent /ask readings their owner may still confirm or correct (in memory, bounded). */
  corrections: PendingCorrections;
  /** Downloads an attachment from an allowed host within the size limit for its kind. */
  download(info: AttachmentInfo, kind: 'image' | 'audio'): Promise<DownloadResult>;
}
