// Optimistic concurrency for the directory's callers: each resource has a weak version tag (a SCIM client sees it in
// meta.version and sends it back in If-Match, RFC 7644 §3.14); a write given expected tags in that form is refused with
// PreconditionFailedError unless the current one is among them. Never required.
import { PreconditionFailedError } from './errors.js';

export function weakVersionTag(version: number): string {
  return `W/"${version}"`;
}

/** Throws 412 unless If-Match is absent, `*`, or lists the current version tag (weak or strong form). */
export function assertIfMatch(ifMatch: string | undefined, current: string): void {
  if (ifMatch === undefined || ifMatch.trim() === '*') return;
  const opaque = (tag: string): string => tag.trim().replace(/^W\//, '');
  if (!ifMatch.split(',').map(opaque).includes(opaque(current))) {
    throw new PreconditionFailedError(`If-Match ${ifMatch} does not match the current version ${current}.`);
  }
}
