import { describe, expect, it } from 'vitest';
import { Problem } from '../../http/errors.js';
import { assertFullRoster } from './service.js';
import type { Preview } from './contract.js';

/** A plan whose fields have these columns (only what assertFullRoster reads). */
const plan = (columns: Record<string, string | null>) =>
  ({
    fields: Object.entries(columns).map(([field, column]) => ({ field, label: field, required: false, column })),
  }) as Preview;

describe('a file given as a full roster', () => {
  it('is a roster naming each member’s branch, else refused naming the field', () => {
    expect(() => assertFullRoster(plan({ orgRelation: '所在党支部' }), 'roster', true)).not.toThrow();
    expect(() => assertFullRoster(plan({ orgRelation: null }), 'roster', false)).not.toThrow();
    const refusal = (f: () => void) => {
      try {
        f();
      } catch (e) {
        return e as Problem;
      }
      throw new Error('not refused');
    };
    const other = refusal(() => assertFullRoster(plan({}), 'registry', true));
    expect(other).toMatchObject({ status: 400, errors: [{ field: 'fullRoster' }] });
    const noBranch = refusal(() => assertFullRoster(plan({ orgRelation: null }), 'roster', true));
    expect(noBranch).toMatchObject({ status: 400, errors: [{ field: 'mapping.orgRelation' }] });
    expect(noBranch.message).toMatch(/所在党支部/);
  });
});
