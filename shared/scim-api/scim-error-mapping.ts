// The directory's errors as SCIM errors (RFC 7644 §3.12): the status and scimType each one answers, with the
// directory's message as the detail. A write that kept losing races is a conflict the client retries.
import { ScimError } from '../scim/errors.js';
import {
  fromStorageError,
  InvalidValueError,
  NameTakenError,
  NotFoundError,
  PreconditionFailedError,
  STILL_CONFLICTING_MESSAGE,
  StillConflictingError,
  TooLargeError,
} from '../directory/errors.js';

/** The ScimError a domain (or storage-size) error answers as; any other error unchanged (a fault, or a ScimError). */
export function toScimError(caught: unknown): unknown {
  const error = fromStorageError(caught);
  if (error instanceof NotFoundError) return new ScimError(404, error.message);
  if (error instanceof NameTakenError) return new ScimError(409, error.message, 'uniqueness');
  if (error instanceof PreconditionFailedError) return new ScimError(412, error.message);
  if (error instanceof InvalidValueError) return new ScimError(400, error.message, 'invalidValue');
  if (error instanceof TooLargeError) return new ScimError(413, error.message);
  if (error instanceof StillConflictingError) return new ScimError(409, STILL_CONFLICTING_MESSAGE);
  return error;
}
