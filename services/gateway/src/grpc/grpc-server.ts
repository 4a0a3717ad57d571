import { Server, ServerCredentials } from '@grpc/grpc-js';
import { loadFileDescriptorSetFromBuffer, loadSync, type PackageDefinition } from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import {
  DESCRIPTOR_SET_BASE64, LevelServiceService, MarketDataServiceService, type LevelServiceServer, type MarketDataServiceServer,
} from '@pricelevel/contracts';
import { HealthImplementation, protoPath as healthProtoPath } from 'grpc-health-check';
import { bearerInterceptor } from './auth-interceptor.js';

export const MARKET_DATA_SERVICE_NAME = 'pricelevel.api.v1.MarketDataService';
export const LEVEL_SERVICE_NAME = 'pricelevel.api.v1.LevelService';
export const HEALTH_SERVICE_NAME = 'grpc.health.v1.Health';


/** Requests are a few strings and numbers; refuse anything large before decoding it. */
const MAX_REQUEST_BYTES = 64 * 1024;

export interface GrpcParts {
  server: Server;
  health: HealthImplementation;
  /** Every service it answers for, as health reports them ('' = the whole server). */
  healthNames: string[];
}

/** The project's services plus the health service, described for reflection (so `grpcurl list` works). */
export function reflectionPackageDefinition(): PackageDefinition {
  const api = loadFileDescriptorSetFromBuffer(Buffer.from(DESCRIPTOR_SET_BASE64, 'base64'));
  const health = loadSync(healthProtoPath);
  return { ...api, ...health };
}

export interface GrpcAuth {
  /** Bearer token every call but health and reflection must carry. */
  token: string;
  /** Counts a call refused as UNAUTHENTICATED. */
  refused: () => void;
}

/** The public API; without `marketData` it is the level detector's own LevelService server. */
export function createGrpcServer(services: { marketData?: MarketDataServiceServer; levels: LevelServiceServer }, auth?: GrpcAuth): GrpcParts {
  const server = new Server({
    'grpc.max_receive_message_length': MAX_REQUEST_BYTES,
    interceptors: auth ? [bearerInterceptor(auth.token, auth.refused)] : [],
  });
  if (services.marketData) server.addService(MarketDataServiceService, services.marketData);
  server.addService(LevelServiceService, services.levels);
  const healthNames = ['', ...(services.marketData ? [MARKET_DATA_SERVICE_NAME] : []), LEVEL_SERVICE_NAME];
  const health = new HealthImplementation(Object.fromEntries(healthNames.map((n) => [n, 'NOT_SERVING' as const])));
  health.addToServer(server);
  const reflected = services.marketData ? undefined : { services: ['grpc.health.v1.Health', LEVEL_SERVICE_NAME] };
  new ReflectionService(reflectionPackageDefinition(), reflected).addToServer(server);
  return { server, health, healthNames };
}

export function setServing({ health, healthNames }: Pick<GrpcParts, 'health' | 'healthNames'>, serving: boolean): void {
  for (const name of healthNames) health.setStatus(name, serving ? 'SERVING' : 'NOT_SERVING');
}

export function bindGrpc(server: Server, host: string, port: number): Promise<number> {
  const address = host.includes(':') && !host.startsWith('[') ? `[${host}]:${port}` : `${host}:${port}`;
  return new Promise((resolve, reject) => {
    server.bindAsync(address, ServerCredentials.createInsecure(), (err, bound) => (err ? reject(err) : resolve(bound)));
  });
}

/** Graceful shutdown; forced when `grace` resolves first (calls still running are cancelled). */
export function shutdownGrpc(server: Server, grace: Promise<void>): Promise<void> {
  return new Promise((resolve) => {
    let done = false;
    const finish = () => {
      if (!done) {
        done = true;
        resolve();
      }
    };
    server.tryShutdown(finish);
    void grace.then(() => {
      if (done) return;
      server.forceShutdown();
      finish();
    });
  });
}
