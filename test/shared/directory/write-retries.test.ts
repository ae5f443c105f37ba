// The one read-modify-write loop: lost races are retried, other errors pass through, and a write that keeps losing
// ends in StillConflictingError (which the SCIM edge answers as 409, test/shared/scim-api/scim-endpoint.test.ts).
import { describe, expect, it } from 'vitest';
import { StillConflictingError } from '../../../shared/directory/errors.js';
import { MAX_WRITE_ATTEMPTS, retryConcurrentUpdates } from '../../../shared/directory/write-retries.js';
import { ConcurrentUpdateError } from '../../../shared/storage/storage-errors.js';

describe('retryConcurrentUpdates', () => {
  it('runs the attempt again after a lost race and answers what the winning attempt answers', async () => {
    let attempts = 0;
    const result = await retryConcurrentUpdates('thing', async () => {
      attempts++;
      if (attempts < 3) throw new ConcurrentUpdateError('thing');
      return Promise.resolve('written');
    });
    expect(result).toBe('written');
    expect(attempts).toBe(3);
  });

  it('passes any other error through at once', async () => {
    let attempts = 0;
    await expect(
      retryConcurrentUpdates('thing', () => {
        attempts++;
        return Promise.reject(new Error('not a race'));
      }),
    ).rejects.toThrow('not a race');
    expect(attempts).toBe(1);
  });

  it(`gives up after ${MAX_WRITE_ATTEMPTS} lost races with StillConflictingError, not the storage error`, async () => {
    let attempts = 0;
    const error = await retryConcurrentUpdates('person 0a1', () => {
      attempts++;
      return Promise.reject(new ConcurrentUpdateError('person 0a1'));
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StillConflictingError);
    expect(attempts).toBe(MAX_WRITE_ATTEMPTS);
  });
});
