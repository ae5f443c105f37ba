// The directory's errors at the admin edge: each answers its status and JSON error code, with the directory's message.
import { describe, expect, it } from 'vitest';
import {
  InvalidValueError,
  NameTakenError,
  NotFoundError,
  PreconditionFailedError,
  StillConflictingError,
  TooLargeError,
} from '../../../shared/directory/errors.js';
import { AdminError, toAdminError } from '../../../shared/admin-api/admin-http.js';
import { EntityLimitError } from '../../../shared/storage/entity-limits.js';
import { RecordTooLargeError } from '../../../shared/storage/person-entity.js';

describe('toAdminError', () => {
  it.each([
    [new NotFoundError('Resource abc not found'), 404, 'notFound', 'Resource abc not found'],
    [new NameTakenError('A group with displayName "x" already exists.'), 409, 'nameTaken', 'A group with displayName "x" already exists.'],
    [new PreconditionFailedError('stale'), 412, 'preconditionFailed', 'stale'],
    [new InvalidValueError('displayName', 'displayName exceeds 32,000 characters.'), 400, 'invalidValue', 'displayName exceeds 32,000 characters.'],
    [new TooLargeError('too large'), 413, 'tooLargeToStore', 'too large'],
    [new RecordTooLargeError(undefined, 'The user data is too large.'), 413, 'tooLargeToStore', 'The user data is too large.'],
    [new EntityLimitError('EntityTooLarge', 'people: the entity', 2_000_000, 1_000_000), 413, 'tooLargeToStore', 'The request would store more than Azure Table Storage allows in one record.'],
    // A write that kept losing races is the caller's to retry, not a 500.
    [new StillConflictingError('group g1 kept changing'), 409, 'stillConflicting', 'The resource is being changed by other requests at the same time; retry the request.'],
  ])('%s', (error, status, code, message) => {
    const mapped = toAdminError(error);
    expect(mapped).toBeInstanceOf(AdminError);
    expect(mapped).toMatchObject({ status, code, message });
  });

  it('leaves a fault as it is', () => {
    const fault = new Error('boom');
    expect(toAdminError(fault)).toBe(fault);
  });
});
