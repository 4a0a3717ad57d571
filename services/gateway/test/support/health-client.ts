import { credentials, loadPackageDefinition, type Client, type ClientReadableStream, type GrpcObject, type ServiceClientConstructor, type ServiceError } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { protoPath as healthProtoPath } from 'grpc-health-check';

export interface HealthClient extends Client {
  check(req: { service: string }, cb: (err: ServiceError | null, res: { status: string }) => void): void;
  watch(req: { service: string }): ClientReadableStream<{ status: string }>;
}

export function healthClient(port: number | string): HealthClient {
  const pkg = loadPackageDefinition(loadSync(healthProtoPath, { enums: String })) as unknown as { grpc: { health: { v1: GrpcObject } } };
  const Health = pkg.grpc.health.v1.Health as ServiceClientConstructor;
  const address = typeof port === 'number' ? `127.0.0.1:${port}` : port;
  return new Health(address, credentials.createInsecure()) as unknown as HealthClient;
}

/** One health Check of `service` ('' = the server) on a fresh client. */
export async function healthStatus(address: string, service: string): Promise<string> {
  const client = healthClient(address);
  try {
    return await new Promise<string>((resolve, reject) => client.check({ service }, (err, res) => (err ? reject(err) : resolve(res.status))));
  } finally {
    client.close();
  }
}
