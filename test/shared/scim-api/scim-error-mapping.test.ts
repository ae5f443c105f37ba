// The directory's errors at the SCIM edge: each answers the status, scimType and detail the SCIM services answered
// before the directory had errors of its own (RFC 7644 §3.12), and storage's size refusals answer 413.
import { describe, expect, it } from 'vitest';
import {
  InvalidValueError,
  NameTakenError,
  NotFoundError,
  PreconditionFailedError,
  StillConflictingError,
  TooLargeError,
} from '../../../shared/directory/errors.js';
import { ScimError } from '../../../shared/scim/errors.js';
import { toScimError } from '../../../shared/scim-api/scim-error-mapping.js';
import { EntityLimitError } from '../../../shared/storage/entity-limits.js';
import { RecordTooLargeError } from '../../../shared/storage/person-entity.js';

const SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';

function bodyOf(error: unknown): unknown {
  const mapped = toScimError(error);
  expect(mapped).toBeInstanceOf(ScimError);
  return (mapped as ScimError).toBody();
}

describe('toScimError', () => {
  it.each([
    [new NotFoundError('Resource abc not found'), { status: '404', detail: 'Resource abc not found' }],
    [new NameTakenError('A user with userName "x" already exists.'), { status: '409', scimType: 'uniqueness', detail: 'A user with userName "x" already exists.' }],
    [new PreconditionFailedError('If-Match W/"1" does not match the current version W/"2".'), { status: '412', detail: 'If-Match W/"1" does not match the current version W/"2".' }],
    [new InvalidValueError('displayName', 'displayName exceeds 32,000 characters.'), { status: '400', scimType: 'invalidValue', detail: 'displayName exceeds 32,000 characters.' }],
    [new TooLargeError('The user resource is too large to store.'), { status: '413', detail: 'The user resource is too large to store.' }],
    [new StillConflictingError('person 0a1 kept changing'), { status: '409', detail: 'The resource is being changed by other requests at the same time; retry the request.' }],
    [new RecordTooLargeError('int1', 'The user resource is too large to store (limit: 90,000 characters per data source).'), { status: '413', detail: 'The user resource is too large to store (limit: 90,000 characters per data source).' }],
    [new EntityLimitError('EntityTooLarge', 'people: the entity', 2_000_000, 1_000_000), { status: '413', detail: 'The request would store more than Azure Table Storage allows in one record.' }],
  ])('%s', (error, expected) => {
    expect(bodyOf(error)).toEqual({ schemas: [SCHEMA], ...expected });
  });

  it('leaves a ScimError and a fault as they are', () => {
    const scim = new ScimError(400, 'bad', 'invalidSyntax');
    const fault = new Error('boom');
    expect(toScimError(scim)).toBe(scim);
    expect(toScimError(fault)).toBe(fault);
  });
});
