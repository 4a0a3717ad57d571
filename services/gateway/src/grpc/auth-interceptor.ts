import {
  ResponderBuilder, ServerInterceptingCall, ServerListenerBuilder, status as Status, type ServerInterceptor,
} from '@grpc/grpc-js';
import { checkBearer } from '../auth.js';

/** Services any client may call: load balancers probe health, and tools list the API before holding a token. */
const OPEN_SERVICES = ['/grpc.health.v1.Health/', '/grpc.reflection.v1.ServerReflection/', '/grpc.reflection.v1alpha.ServerReflection/'];

/**
 * Refuses every call (unary and streaming, before its handler runs) whose metadata lacks
 * `authorization: Bearer <token>`, with UNAUTHENTICATED; health and reflection stay open.
 */
export function bearerInterceptor(token: string, onRefused: () => void): ServerInterceptor {
  return (method, call) => {
    if (OPEN_SERVICES.some((prefix) => method.path.startsWith(prefix))) return new ServerInterceptingCall(call);
    const listener = new ServerListenerBuilder()
      .withOnReceiveMetadata((metadata, next) => {
        const [header] = metadata.get('authorization');
        if (typeof header === 'string' && checkBearer(header, token)) {
          next(metadata);
          return;
        }
        onRefused();
        call.sendStatus({ code: Status.UNAUTHENTICATED, details: 'missing or wrong bearer token: send metadata "authorization: Bearer <token>"' });
      })
      .build();
    return new ServerInterceptingCall(call, new ResponderBuilder().withStart((next) => next(listener)).build());
  };
}
