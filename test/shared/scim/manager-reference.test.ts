import { describe, expect, it } from 'vitest';
import { managerIdOf, withManagerReference } from '../../../shared/scim/manager-reference.js';
import { ENTERPRISE_USER_SCHEMA } from '../../../shared/scim/schemas/index.js';

const locationOf = (id: string): string => `https://fn.example.net/api/scim/i1/v2/Users/${id}`;

describe('withManagerReference (RFC 7643 §4.3)', () => {
  it('answers the manager as value, $ref and displayName when known, without changing its input', () => {
    const resource = { id: 'u1', [ENTERPRISE_USER_SCHEMA]: { department: 'Retail', manager: { value: 'm1' } } };
    const before = structuredClone(resource);
    expect(withManagerReference(resource, locationOf, 'Ada Lovelace')[ENTERPRISE_USER_SCHEMA]).toEqual({
      department: 'Retail',
      manager: { value: 'm1', $ref: locationOf('m1'), displayName: 'Ada Lovelace' },
    });
    expect(withManagerReference(resource, locationOf)[ENTERPRISE_USER_SCHEMA]).toEqual({
      department: 'Retail',
      manager: { value: 'm1', $ref: locationOf('m1') },
    });
    expect(resource).toEqual(before);
  });

  it('leaves a user without a manager as it is', () => {
    const resource = { id: 'u1', [ENTERPRISE_USER_SCHEMA]: { department: 'Retail' } };
    expect(withManagerReference(resource, locationOf, 'x')).toBe(resource);
    expect(managerIdOf({ id: 'u1' })).toBeUndefined();
    expect(managerIdOf({ [ENTERPRISE_USER_SCHEMA]: { manager: { value: '' } } })).toBeUndefined();
  });
});
