import { status as Status, type ServiceError } from '@grpc/grpc-js';

/** A gRPC status code by name ("NOT_FOUND", "UNAUTHENTICATED", …). */
export type StatusName = keyof typeof Status;

/** Every failure the client reports: the gRPC status (by name and number) and the server's details. */
export class PricelevelError extends Error {
  override readonly name = 'PricelevelError';

  constructor(
    readonly code: StatusName,
    readonly details: string,
    options?: { cause?: unknown },
  ) {
    super(`${code}: ${details}`, options);
  }

  /** The numeric gRPC status code. */
  get status(): number {
    return Status[this.code];
  }
}

/** The status name of a numeric code; UNKNOWN for a number grpc-js does not define. */
export function statusName(code: number): StatusName {
  const name = (Status as unknown as Record<number, string | undefined>)[code];
  return name === undefined ? 'UNKNOWN' : (name as StatusName);
}

/** Wraps a grpc-js failure (a ServiceError, or anything thrown) as a PricelevelError. */
export function toPricelevelError(err: unknown): PricelevelError {
  if (err instanceof PricelevelError) return err;
  if (isServiceError(err)) return new PricelevelError(statusName(err.code), err.details || err.message, { cause: err });
  const message = err instanceof Error ? err.message : String(err);
  return new PricelevelError('UNKNOWN', message, { cause: err });
}

function isServiceError(err: unknown): err is ServiceError {
  return err instanceof Error && typeof (err as Partial<ServiceError>).code === 'number';
}
