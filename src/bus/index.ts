export type {
  Bus,
  BusStatus,
  MessageHandler,
  MessageInfo,
  RequestHandler,
  RequestOptions,
  StatusListener,
  SubscribeOptions,
  Subscription,
} from "./bus.js";
export { DEFAULT_MAX_PAYLOAD, DEFAULT_REQUEST_TIMEOUT_MS, ERROR_HEADER } from "./bus.js";
export { decode, encode, encodeText, type Payload } from "./codec.js";
export { LocalHub } from "./local/hub.js";
export { LocalBus, type LocalBusOptions } from "./local/local-bus.js";
export { type NatsCredentials, readCredentials } from "./nats/credentials.js";
export { NatsBus, type NatsBusOptions } from "./nats/nats-bus.js";
export {
  type BusSelection,
  createBus,
  NATS_CREDS_ENV,
  NATS_URL_ENV,
  selectedNatsCreds,
  selectedNatsUrl,
} from "./select.js";
export {
  actorEvent,
  allActorEvents,
  allDeskReports,
  allHeartbeats,
  allMarketData,
  assertPublishSubject,
  assertSubscribeSubject,
  control,
  deskBalance,
  deskCache,
  deskOrder,
  deskReport,
  heartbeat,
  holderProposal,
  holderReport,
  inboxPrefix,
  type MarketDataKind,
  marketData,
  ROLES,
  type Role,
  type RolePermissions,
  rolePermissions,
  subjectMatches,
  token,
} from "./subjects.js";
