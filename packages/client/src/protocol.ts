/**
 * The pure half of the /ws protocol client: channel names, message parsing, the resume state machine and the
 * reconnect backoff, without I/O and without Node modules (contracts are imported as types only). Browser code
 * imports it as `@pricelevel/client/protocol`; PricelevelSocket (the main entry) is built on it.
 */
export { channels, parseChannelName, type Channel, type ChannelKind } from './ws/channels.js';
export {
  parseServerMessage, type CandleUpdate, type ClientRequest, type ErrorMessage, type FeaturesUpdate, type FlowUpdate, type GapMessage, type LevelsUpdate,
  type Nullable, type PongMessage, type QualityUpdate, type ServerMessage, type SubscribedMessage, type UnsubscribedMessage, type Update,
  type UpdatesByKind, type WireBookFeatures, type WireCandle, type WireLevel, type WireLevelSet, type WireOrderFlow, type WireQualityEvent,
  type WireTrade, type TradeUpdate,
} from './ws/messages.js';
export { ResumeState, type ChannelErrorEvent, type ChannelEvent, type Reaction, type SubscribedEvent } from './ws/resume-state.js';
export { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './ws/backoff.js';
