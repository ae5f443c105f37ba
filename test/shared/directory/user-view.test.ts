// An integration's view of a person (pure): visibility, the rendered SCIM resource, name keys and index entries.
import { describe, expect, it } from 'vitest';
import {
  documentFromContentManager,
  indexEntriesOf,
  isVisible,
  liveSource,
  nameKeysOf,
  requiredIndexEntriesOf,
  scopedKeysOf,
  viewDocument,
  viewVersionTag,
} from '../../../shared/directory/user-view.js';
import { renderUser, USER_SCHEMA } from '../../../shared/scim-api/user-resource.js';
import { caseFoldKey } from '../../../shared/storage/keys.js';
import type { ContentManagerPart, PersonRecord, SourcePart } from '../../../shared/directory/model/person-record.js';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const CUSTOM = 'urn:ietf:params:scim:schemas:extension:contoso:2.0:User';
const LOCATION = 'https://host/api/scim/int1/v2/Users/abc';

const cm: ContentManagerPart = {
  username: 'alice',
  upn: 'Alice@Contoso.com',
  displayName: 'Alice Admin',
  email: 'Alice@Contoso.com',
  createdBy: 'admin',
  created: '2025-01-01T00:00:00.000Z',
  lastModified: '2025-01-02T00:00:00.000Z',
};

function source(doc: Record<string, unknown>, extra: Partial<SourcePart> = {}): SourcePart {
  return { doc, created: '2025-02-01T00:00:00.000Z', lastModified: '2025-02-02T00:00:00.000Z', ...extra };
}

function person(parts: { cm?: ContentManagerPart; sources?: Record<string, SourcePart>; version?: number; stagedUpn?: string }): PersonRecord {
  const record: PersonRecord = { id: '0aabc', sources: parts.sources ?? {}, nameKeys: [], version: parts.version ?? 1, created: '2024-12-31T00:00:00.000Z' };
  if (parts.cm !== undefined) record.cm = parts.cm;
  if (parts.stagedUpn !== undefined) record.stagedUpn = parts.stagedUpn;
  return record;
}

describe('visibility', () => {
  it('shows a Content Manager user to every integration, as its Content Manager values', () => {
    const p = person({ cm });
    for (const integration of ['int1', 'int2']) {
      expect(isVisible(p, integration)).toBe(true);
      expect(viewDocument(p, integration)).toEqual({
        userName: 'Alice@Contoso.com',
        active: true,
        displayName: 'Alice Admin',
        emails: [{ value: 'Alice@Contoso.com', type: 'work', primary: true }],
      });
    }
  });

  it('leaves out empty Content Manager display names and emails', () => {
    expect(documentFromContentManager({ ...cm, displayName: '', email: '' })).toEqual({ userName: cm.upn, active: true });
    const { displayName: _d, email: _e, ...bare } = cm;
    expect(documentFromContentManager(bare)).toEqual({ userName: cm.upn, active: true });
  });

  it('shows a staged record only to the integration that wrote it', () => {
    const p = person({ sources: { int1: source({ userName: 'staged@contoso.com' }) } });
    expect(isVisible(p, 'int1')).toBe(true);
    expect(viewDocument(p, 'int1')).toEqual({ userName: 'staged@contoso.com' });
    expect(isVisible(p, 'int2')).toBe(false);
    expect(viewDocument(p, 'int2')).toBeUndefined();
    expect(renderUser(p, 'int2', LOCATION)).toBeUndefined();
  });

  it('hides the person from an integration whose source was deleted, even a Content Manager user', () => {
    const deleted = source({ userName: 'gone@contoso.com' }, { deleted: true });
    const staged = person({ sources: { int1: deleted } });
    expect(isVisible(staged, 'int1')).toBe(false);
    expect(liveSource(staged, 'int1')).toBeUndefined();

    const p = person({ cm, sources: { int1: deleted } });
    expect(isVisible(p, 'int1')).toBe(false);
    expect(viewDocument(p, 'int1')).toBeUndefined();
    expect(renderUser(p, 'int1', LOCATION)).toBeUndefined();
    // Other integrations still see the Content Manager user.
    expect(viewDocument(p, 'int2')?.userName).toBe(cm.upn);
  });

  it('lets a source document override the Content Manager values for that integration only', () => {
    const p = person({ cm, sources: { int1: source({ userName: 'alice.entra@contoso.com', displayName: 'Alice From Entra', active: false }) } });
    expect(viewDocument(p, 'int1')).toEqual({ userName: 'alice.entra@contoso.com', displayName: 'Alice From Entra', active: false });
    expect(viewDocument(p, 'int2')).toEqual(documentFromContentManager(cm));
    expect(liveSource(p, 'int1')?.doc.displayName).toBe('Alice From Entra');
    expect(liveSource(p, 'int2')).toBeUndefined();
  });
});

describe('renderUser', () => {
  it('renders schemas, id, the document, active and meta', () => {
    const p = person({ cm, version: 7 });
    expect(renderUser(p, 'int2', LOCATION)).toEqual({
      schemas: [USER_SCHEMA],
      id: '0aabc',
      userName: 'Alice@Contoso.com',
      displayName: 'Alice Admin',
      emails: [{ value: 'Alice@Contoso.com', type: 'work', primary: true }],
      active: true,
      meta: { resourceType: 'User', created: cm.created, lastModified: cm.lastModified, location: LOCATION, version: viewVersionTag(viewDocument(p, 'int2') ?? {}) },
    });
  });

  it("versions each integration's view by its content: another source's write leaves it unchanged", () => {
    const before = person({ cm, sources: { int1: source({ userName: 'u', title: 'A' }) }, version: 1 });
    const after = person({ cm, sources: { int1: source({ userName: 'u', title: 'A' }), int2: source({ userName: 'u', title: 'B' }) }, version: 2 });
    const tag = (p: PersonRecord, id: string) => (renderUser(p, id, LOCATION)?.meta as { version: string }).version;
    expect(tag(after, 'int1')).toBe(tag(before, 'int1'));
    expect(tag(after, 'int1')).toMatch(/^W\/"[A-Za-z0-9_-]{16}"$/);
    expect(tag(after, 'int2')).not.toBe(tag(after, 'int1'));
  });

  it('lists the enterprise (and any extension) URN only when the document has it', () => {
    const withExtensions = person({
      sources: { int1: source({ userName: 'u', [ENTERPRISE]: { department: 'Retail' }, [CUSTOM]: { badge: '7' } }) },
    });
    expect(renderUser(withExtensions, 'int1', LOCATION)?.schemas).toEqual([USER_SCHEMA, ENTERPRISE, CUSTOM]);
    const without = person({ sources: { int1: source({ userName: 'u', title: 'Boss' }) } });
    expect(renderUser(without, 'int1', LOCATION)?.schemas).toEqual([USER_SCHEMA]);
  });

  it('defaults active to true and keeps an explicit boolean', () => {
    const render = (doc: Record<string, unknown>): unknown => renderUser(person({ sources: { int1: source(doc) } }), 'int1', LOCATION)?.active;
    expect(render({ userName: 'u' })).toBe(true);
    expect(render({ userName: 'u', active: false })).toBe(false);
    expect(render({ userName: 'u', active: 'False' })).toBe(true);
  });

  it('takes created from the source, lastModified from the later of source and Content Manager', () => {
    const p = person({ cm: { ...cm, lastModified: '2025-03-01T00:00:00.000Z' }, sources: { int1: source({ userName: 'u' }) }, version: 3 });
    expect(renderUser(p, 'int1', LOCATION)?.meta).toEqual({
      resourceType: 'User',
      created: '2025-02-01T00:00:00.000Z',
      lastModified: '2025-03-01T00:00:00.000Z',
      location: LOCATION,
      version: viewVersionTag(viewDocument(p, 'int1') ?? {}),
    });
    const newerSource = person({ cm, sources: { int1: source({ userName: 'u' }) } });
    expect((renderUser(newerSource, 'int1', LOCATION)?.meta as { lastModified: string }).lastModified).toBe('2025-02-02T00:00:00.000Z');
  });
});

describe('nameKeysOf and scopedKeysOf', () => {
  const sources = {
    int1: source({ userName: 'ALICE@contoso.com' }),
    int2: source({ userName: 'alice.other@Contoso.com' }),
    int3: source({ userName: 'deleted@contoso.com' }, { deleted: true }),
    int4: source({ displayName: 'no userName' }),
  };

  it('the shared name is the Content Manager UPN only; each live source\'s userName is scoped to its integration', () => {
    const p = person({ cm, sources });
    expect(nameKeysOf(p)).toEqual([caseFoldKey('alice@contoso.com')]);
    expect(scopedKeysOf(p).sort()).toEqual([`int1:${caseFoldKey('alice@contoso.com')}`, `int2:${caseFoldKey('alice.other@contoso.com')}`].sort());
  });

  it('a staged record is known organisation-wide by the name it was staged under, whatever its sources call it since', () => {
    const p = person({ sources, stagedUpn: 'First@Contoso.com' });
    expect(nameKeysOf(p)).toEqual([caseFoldKey('first@contoso.com')]);
    expect(nameKeysOf({ ...p, cm })).toEqual([caseFoldKey('alice@contoso.com')]);
  });

  it('is empty for a person with neither', () => {
    expect(nameKeysOf(person({}))).toEqual([]);
    expect(scopedKeysOf(person({ sources: { int1: source({ userName: 'x' }, { deleted: true }) } }))).toEqual([]);
  });

  it('encodes characters keys cannot hold', () => {
    expect(scopedKeysOf(person({ sources: { int1: source({ userName: 'A/B#C' }) } }))).toEqual(['int1:a%2Fb%23c']);
    expect(nameKeysOf(person({ stagedUpn: 'A/B#C' }))).toEqual(['a%2Fb%23c']);
  });
});

describe('indexEntriesOf', () => {
  it('indexes Content Manager displayName and email (lower-cased) under scope cm', () => {
    expect(indexEntriesOf(person({ cm }))).toEqual([
      { scope: 'cm', attr: 'displayName', value: 'alice admin' },
      { scope: 'cm', attr: 'email', value: 'alice@contoso.com' },
    ]);
    expect(indexEntriesOf(person({ cm: { ...cm, displayName: '', email: '' } }))).toEqual([]);
  });

  it('indexes each live source: externalId exactly, displayName and emails lower-cased', () => {
    const p = person({
      sources: {
        int1: source({
          userName: 'u',
          externalId: 'Ext-ABC',
          displayName: 'Bob Builder',
          emails: [{ value: 'Bob@Work.com', type: 'work' }, { value: 'bob@home.org' }, { type: 'other' }, { value: '' }, 'junk', null],
        }),
        int2: source({ externalId: 'gone', displayName: 'Gone' }, { deleted: true }),
        int3: source({ externalId: '', displayName: '', emails: 'not-an-array' }),
      },
    });
    expect(indexEntriesOf(p)).toEqual([
      { scope: 'int1', attr: 'externalId', value: 'Ext-ABC' },
      { scope: 'int1', attr: 'displayName', value: 'bob builder' },
      { scope: 'int1', attr: 'email', value: 'bob@work.com' },
      { scope: 'int1', attr: 'email', value: 'bob@home.org' },
    ]);
  });

  it('combines Content Manager and source entries', () => {
    const entries = indexEntriesOf(person({ cm, sources: { int1: source({ externalId: 'e1' }) } }));
    expect(entries.map((e) => `${e.scope}/${e.attr}`)).toEqual(['cm/displayName', 'cm/email', 'int1/externalId']);
  });
});

describe('requiredIndexEntriesOf', () => {
  it('leaves out a source value equal to the Content Manager value of the same attribute (the cm row finds it), and keeps the rest', () => {
    const p = person({
      cm,
      sources: {
        int1: source({ externalId: 'alice admin', displayName: 'ALICE ADMIN', emails: [{ value: 'alice@contoso.com' }, { value: 'alice@home.org' }] }),
        int2: source({ displayName: 'Alice A.' }),
      },
    });
    expect(requiredIndexEntriesOf(p).map((e) => `${e.scope}/${e.attr}/${e.value}`)).toEqual([
      'cm/displayName/alice admin',
      'cm/email/alice@contoso.com',
      'int1/externalId/alice admin',
      'int1/email/alice@home.org',
      'int2/displayName/alice a.',
    ]);
  });

  it('is every entry when there is no Content Manager user', () => {
    const p = person({ sources: { int1: source({ externalId: 'e1', displayName: 'Alice Admin' }) } });
    expect(requiredIndexEntriesOf(p)).toEqual(indexEntriesOf(p));
  });

  it('leaves out every value of an unindexed source (a Graph integration), which indexEntriesOf still lists for removal', () => {
    const p = person({ cm, sources: { int1: source({ externalId: 'e1' }), graph1: { ...source({ externalId: 'g1', displayName: 'Alice G' }), unindexed: true } } });
    expect(requiredIndexEntriesOf(p).map((e) => `${e.scope}/${e.attr}/${e.value}`)).toEqual(['cm/displayName/alice admin', 'cm/email/alice@contoso.com', 'int1/externalId/e1']);
    expect(indexEntriesOf(p).map((e) => `${e.scope}/${e.attr}/${e.value}`)).toEqual([
      'cm/displayName/alice admin',
      'cm/email/alice@contoso.com',
      'int1/externalId/e1',
      'graph1/externalId/g1',
      'graph1/displayName/alice g',
    ]);
  });
});
