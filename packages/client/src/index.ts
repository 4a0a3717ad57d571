export { PricelevelError, statusName, toPricelevelError, type StatusName } from './errors.js';
export { connect, type ConnectOptions, type PricelevelClient, type TlsOptions } from './grpc/connect.js';
export type { RpcOptions } from './grpc/call-context.js';
export type { MarketData } from './grpc/market-data.js';
export type { Levels } from './grpc/levels.js';
export * from './protocol.js';
export { PricelevelSocket, type SocketEvent, type SocketOptions, type SocketState } from './ws/socket.js';
