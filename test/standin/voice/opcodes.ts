/** Voice gateway opcodes (v8), DAVE ones (21-31) included. */
export const VoiceOp = {
  Identify: 0,
  SelectProtocol: 1,
  Ready: 2,
  Heartbeat: 3,
  SessionDescription: 4,
  Speaking: 5,
  HeartbeatAck: 6,
  Resume: 7,
  Hello: 8,
  Resumed: 9,
  ClientsConnect: 11,
  ClientDisconnect: 13,
  /** JSON, server → client: `{ protocol_version, transition_id }`; id 0 = apply now. */
  DavePrepareTransition: 21,
  /** JSON, server → client: `{ transition_id }`. */
  DaveExecuteTransition: 22,
  /** JSON, client → server: `{ transition_id }`. */
  DaveTransitionReady: 23,
  /** JSON, server → client: `{ protocol_version, epoch }`; epoch 1 = (re)create the group. */
  DavePrepareEpoch: 24,
  /** Binary, server → client: ExternalSender. */
  DaveMlsExternalSender: 25,
  /** Binary, client → server: KeyPackage. */
  DaveMlsKeyPackage: 26,
  /** Binary, server → client: u8 append(0) / revoke(1), then MLSMessage<V> or ProposalRef<V>. */
  DaveMlsProposals: 27,
  /** Binary, client → server: commit MLSMessage, optional Welcome. */
  DaveMlsCommitWelcome: 28,
  /** Binary, server → client: u16 transition id, commit MLSMessage. */
  DaveMlsAnnounceCommitTransition: 29,
  /** Binary, server → client: u16 transition id, Welcome. */
  DaveMlsWelcome: 30,
  /** JSON, client → server: `{ transition_id }`. */
  DaveMlsInvalidCommitWelcome: 31,
} as const;

/** Close codes the stand-in uses, with Discord's meaning. */
export const VoiceCloseCode = {
  AuthenticationFailed: 4004,
  SessionNoLongerValid: 4006,
  Disconnected: 4014,
  ServerCrashed: 4015,
  UnknownEncryptionMode: 4016,
  /** The client does not support the DAVE protocol version the call requires. */
  E2eeRequired: 4017,
} as const;
