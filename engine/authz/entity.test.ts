import { describe, expect, it } from 'vitest';
import { entitySchema, referencedUids, withTags } from './entity.ts';

describe('entity tags', () => {
  it('the entity schema keeps tags, and leaves them out when none are sent', () => {
    const parsed = entitySchema.parse({
      uid: { type: 'Listing', id: 'lst-1' },
      tags: { channel: 'amazon', owner: { __entity: { type: 'User', id: 'asha' } } },
    });
    expect(parsed).toEqual({
      uid: { type: 'Listing', id: 'lst-1' },
      attrs: {},
      parents: [],
      tags: { channel: 'amazon', owner: { __entity: { type: 'User', id: 'asha' } } },
    });
    expect(entitySchema.parse({ uid: { type: 'Listing', id: 'lst-1' } })).not.toHaveProperty('tags');
    expect(entitySchema.safeParse({ uid: { type: 'Listing', id: 'lst-1' }, tags: ['channel'] }).success).toBe(false);
  });

  it('withTags answers an entity without a tags key when it has none', () => {
    const base = { uid: { type: 'Listing', id: 'lst-1' }, attrs: {}, parents: [] };
    expect(withTags(base, {})).toEqual(base);
    expect(withTags(base, {})).not.toHaveProperty('tags');
    expect(withTags(base, null)).not.toHaveProperty('tags');
    expect(withTags(base, { channel: 'amazon' })).toEqual({ ...base, tags: { channel: 'amazon' } });
  });

  it('referencedUids finds entity references in tag values as in attributes', () => {
    const tags = {
      owner: { __entity: { type: 'User', id: 'asha' } },
      reviewers: [{ __entity: { type: 'User', id: 'dev' } }],
      since: { __extn: { fn: 'datetime', arg: '2026-01-01' } },
    };
    expect(referencedUids(tags)).toEqual([
      { type: 'User', id: 'asha' },
      { type: 'User', id: 'dev' },
    ]);
  });
});
