// SCIM PATCH (RFC 7644 §3.5.2) in both Entra dialects: normalise once, then apply to a User or a Group.

export { applyGroupOperations, applyGroupPatch } from './apply-group.js';
export { applyUserOperations, applyUserPatch } from './apply-user.js';
export { normaliseEntraPatch } from './normalise-entra.js';
export { MAX_PATCH_OPERATIONS } from './patch-operation.js';
export type { MembersDelta, PatchOperation, PatchOpName, PatchTarget } from './patch-operation.js';
