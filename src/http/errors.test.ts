import { describe, expect, it } from 'vitest';
import { uniqueMessage } from './errors.js';

describe('the field a unique violation names', () => {
  it("is found by the constraint's name, and on a Citus cluster by its shard's copy of it", () => {
    expect(uniqueMessage('platform_name_uq')).toMatchObject({ field: 'name' });
    // The row went to the shard platform_102034, whose constraint is platform_name_uq_102034.
    expect(uniqueMessage('platform_name_uq_102034')).toEqual(uniqueMessage('platform_name_uq'));
    expect(uniqueMessage('jurisdiction_pkey_102008')).toMatchObject({ field: 'suffix' });
    expect(uniqueMessage('no_such_constraint_102034')).toBeUndefined();
    expect(uniqueMessage('toString')).toBeUndefined();
    expect(uniqueMessage(undefined)).toBeUndefined();
  });
});
