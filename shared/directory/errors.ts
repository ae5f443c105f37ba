// The directory's error vocabulary: what went wrong, in domain terms and no protocol's. Each edge maps these to its
// own format (the SCIM error envelope in scim-api/scim-error-mapping.ts, the admin API's JSON error in
// admin-api/admin-http.ts, a sync run's error); the message is written for whoever reads the answer and is shown as it
// is. Storage's refusals of oversized writes become TooLargeError here (fromStorageError), so no edge knows storage.
import { EntityLimitError } from '../storage/entity-limits.js';
import { RecordTooLargeError } from '../storage/person-entity.js';

export abstract class DirectoryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** The person, group or integration does not exist (or is not in the acting integration's view). */
export class NotFoundError extends DirectoryError {}

/** A name that must be unique is held by someone else, or is being taken by a concurrent write. */
export class NameTakenError extends DirectoryError {}

/** The caller acted on a version of the resource that is no longer the current one. */
export class PreconditionFailedError extends DirectoryError {}

/** A value the directory refuses to store; `attribute` names it as the caller sent it. */
export class InvalidValueError extends DirectoryError {
  constructor(
    readonly attribute: string,
    message: string,
  ) {
    super(message);
  }
}

/** The resource is in a state that refuses the operation (e.g. an integration being deleted). */
export class StateConflictError extends DirectoryError {}

/** More than Azure Table Storage can hold in one record. */
export class TooLargeError extends DirectoryError {}

/** A read-modify-write that kept losing races to other writers: a conflict the caller retries, never a fault. */
export class StillConflictingError extends DirectoryError {}

/** What the edges show for a StillConflictingError: the caller retries. */
export const STILL_CONFLICTING_MESSAGE = 'The resource is being changed by other requests at the same time; retry the request.';

/** What the edges show when a write would not fit in one row and storage did not say more. */
export const ROW_TOO_LARGE_MESSAGE = 'The request would store more than Azure Table Storage allows in one record.';

/** Storage's refusals of oversized writes as TooLargeError; anything else unchanged. */
export function fromStorageError(error: unknown): unknown {
  if (error instanceof RecordTooLargeError) return new TooLargeError(error.message);
  if (error instanceof EntityLimitError) return new TooLargeError(ROW_TOO_LARGE_MESSAGE);
  return error;
}
