// The streamed JSON of a paged resource parses to what projecting the whole resource gives, for every projection and
// every way of splitting the members into pages; and it pulls pages only as its text is consumed.
import { describe, expect, it } from 'vitest';
import { pagedListResponseJson, type PagedResource, pagedResourceJson } from '../../../shared/scim/paged-resource-json.js';
import { type ProjectionOptions, projectResource } from '../../../shared/scim/projection.js';

type Json = Record<string, unknown>;

const head: Json = {
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
  id: 'g-1',
  externalId: 'ext-1',
  displayName: 'Sales',
  meta: { resourceType: 'Group', created: '2024-01-01T00:00:00Z', version: 'W/"3"' },
};

const member = (i: number): Json => ({
  value: `u-${i}`,
  $ref: `https://x/Users/u-${i}`,
  type: i % 5 === 0 ? 'Group' : 'User',
  ...(i % 3 === 0 ? { display: `Member "${i}" ü` } : {}),
});

const projections: ProjectionOptions[] = [
  {},
  { attributes: ['members'] },
  { attributes: ['displayName', 'members'] },
  { attributes: ['members.value'] },
  { attributes: ['members[type eq "Group"]'] },
  { attributes: ['members[type eq "Group"].value', 'externalId'] },
  { attributes: ['urn:ietf:params:scim:schemas:core:2.0:Group:members'] },
  { attributes: ['members[value eq "nobody"]'] },
  { excludedAttributes: ['displayName', 'meta'] },
  { excludedAttributes: ['members[type eq "User"]'] },
  { attributes: ['members', 'displayName'], excludedAttributes: ['externalId'] },
];

/** `members` split into pages of the given sizes (the last size repeats), each page read asynchronously. */
async function* pagesOf(members: Json[], sizes: number[]): AsyncGenerator<Json[]> {
  let at = 0;
  let turn = 0;
  while (at < members.length) {
    const size = sizes[Math.min(turn++, sizes.length - 1)] ?? 1;
    yield await Promise.resolve(members.slice(at, at + size));
    at += size;
  }
}

async function text(pieces: AsyncIterable<string>): Promise<string> {
  let all = '';
  for await (const piece of pieces) all += piece;
  return all;
}

describe('pagedResourceJson', () => {
  const memberCounts = [0, 1, 7, 250];
  const splits = [[1], [3, 0, 2], [100], [1000]];
  for (const options of projections) {
    it(`equals the whole resource projected, ${JSON.stringify(options)}`, async () => {
      for (const count of memberCounts) {
        const members = Array.from({ length: count }, (_, i) => member(i));
        const expected = projectResource({ ...head, members }, options);
        for (const sizes of splits) {
          const streamed = await text(pagedResourceJson({ resource: head, pages: pagesOf(members, sizes) }, 'members', options));
          expect(JSON.parse(streamed)).toEqual(expected);
          // Same keys in the same order: members stays last, as in the buffered resource.
          expect(Object.keys(JSON.parse(streamed) as Json)).toEqual(Object.keys(expected));
        }
      }
    });
  }

  it('without pages, is the projected resource without members', async () => {
    expect(JSON.parse(await text(pagedResourceJson({ resource: head }, 'members', { attributes: ['displayName'] })))).toEqual(
      projectResource(head, { attributes: ['displayName'] }),
    );
  });

  it('pulls one page per piece: nothing before the first piece is asked for, and the first piece holds the first page', async () => {
    let pulls = 0;
    async function* counted(): AsyncGenerator<Json[]> {
      for (let page = 0; page < 50; page++) {
        pulls++;
        yield await Promise.resolve([member(page)]);
      }
    }
    const pieces = pagedResourceJson({ resource: head, pages: counted() }, 'members', {})[Symbol.asyncIterator]();
    expect(pulls).toBe(0);
    const first = await pieces.next();
    expect(pulls).toBe(1);
    expect(first.value).toContain('"u-0"');
    await pieces.next();
    await pieces.next();
    expect(pulls).toBe(3);
    let rest = 0;
    while (!(await pieces.next()).done) rest++;
    expect(pulls).toBe(50);
    expect(rest).toBe(48); // 47 more pages and the closing piece
  });

  it('a failing first page fails the first piece, before any text', async () => {
    // eslint-disable-next-line require-yield
    async function* failing(): AsyncGenerator<Json[]> {
      await Promise.resolve();
      throw new Error('storage down');
    }
    await expect(pagedResourceJson({ resource: head, pages: failing() }, 'members', {}).next()).rejects.toThrow('storage down');
  });
});

describe('pagedListResponseJson', () => {
  const envelope = { schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'], totalResults: 9, startIndex: 4, itemsPerPage: 3, Resources: [] };

  it('writes each group after the other into Resources, projected, members last', async () => {
    const groups = [0, 3, 120].map((count, g) => ({ head: { ...head, id: `g-${g}` }, members: Array.from({ length: count }, (_, i) => member(i + g)) }));
    for (const options of projections) {
      const paged: PagedResource[] = groups.map((group) => ({ resource: group.head, pages: pagesOf(group.members, [50]) }));
      const streamed = JSON.parse(await text(pagedListResponseJson(envelope, paged, 'members', options)));
      expect(streamed).toEqual({ ...envelope, Resources: groups.map((group) => projectResource({ ...group.head, members: group.members }, options)) });
    }
  });

  it('an empty page of results is an empty Resources array', async () => {
    expect(JSON.parse(await text(pagedListResponseJson({ ...envelope, itemsPerPage: 0 }, [], 'members', {})))).toEqual({ ...envelope, itemsPerPage: 0, Resources: [] });
  });

  it('reads the second group only once the first is written', async () => {
    const pulled: string[] = [];
    const source = (id: string) =>
      (async function* (): AsyncGenerator<Json[]> {
        pulled.push(id);
        yield await Promise.resolve([member(1)]);
      })();
    const pieces = pagedListResponseJson(envelope, [{ resource: { ...head, id: 'a' }, pages: source('a') }, { resource: { ...head, id: 'b' }, pages: source('b') }], 'members', {});
    await pieces.next();
    expect(pulled).toEqual(['a']);
    await text(pieces);
    expect(pulled).toEqual(['a', 'b']);
  });
});
