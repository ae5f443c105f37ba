// Recognising the storage outcomes that the domain reacts to, by HTTP status of the SDK's RestError.

function statusOf(error: unknown): number | undefined {
  if (typeof error === 'object' && error !== null && 'statusCode' in error) {
    const status = (error as { statusCode?: unknown }).statusCode;
    return typeof status === 'number' ? status : undefined;
  }
  return undefined;
}

export const isNotFound = (error: unknown): boolean => statusOf(error) === 404;
export const isConflict = (error: unknown): boolean => statusOf(error) === 409;
export const isPreconditionFailed = (error: unknown): boolean => statusOf(error) === 412;

/** Thrown by repositories when an ETag-guarded write lost a race; callers re-read and retry. */
export class ConcurrentUpdateError extends Error {
  constructor(what: string) {
    super(`${what} was changed by another request`);
    this.name = 'ConcurrentUpdateError';
  }
}

/** Thrown by repositories when a key that must be unique is already held. */
export class KeyTakenError extends Error {
  constructor(readonly key: string) {
    super(`key ${key} is already taken`);
    this.name = 'KeyTakenError';
  }
}
