export { GatewayServer, type GatewayServerOptions, type GatewayPorts } from './gateway-server.js';
export { CANDLE_TOPIC, BOOK_FEATURES_TOPIC, BOOK_SNAPSHOT_TOPIC, ORDER_FLOW_TOPIC, LEVELS_TOPIC } from './live-feeds.js';
export { checkBearer } from './auth.js';
export { DEFAULT_LIMITS, resolveLimits, type GatewayLimits } from './limits.js';
export type { GatewayMetrics } from './metrics.js';
export type { InstrumentRef } from './instruments.js';
export { MARKET_DATA_SERVICE_NAME, LEVEL_SERVICE_NAME, HEALTH_SERVICE_NAME } from './grpc/grpc-server.js';
export { WS_PATH, WS_CLOSE_TRY_AGAIN_LATER, WS_CLOSE_GOING_AWAY, DEFAULT_WS_OPTIONS, type WsGatewayOptions } from './http/ws-gateway.js';
export { GatewayModule } from './gateway.module.js';
