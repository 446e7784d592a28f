import { describe, expect, it } from 'vitest';
import { uniqueMessage } from './errors.js';

describe('the field a unique violation names', () => {
  it("is found by the constraint's name, and on a Citus cluster by its shard's copy of it", () => {
    expect(uniqueMessage({ constraint: 'platform_name_uq' })).toMatchObject({ field: 'name' });
    // The row went to the shard platform_102034, whose constraint is platform_name_uq_102034.
    expect(uniqueMessage({ constraint: 'platform_name_uq_102034' })).toEqual(
      uniqueMessage({ constraint: 'platform_name_uq' }),
    );
    expect(uniqueMessage({ constraint: 'no_such_constraint_102034' })).toBeUndefined();
    expect(uniqueMessage({ constraint: 'toString' })).toBeUndefined();
    expect(uniqueMessage({})).toBeUndefined();
  });

  it('is read from the message when a shard on another node reported the violation', () => {
    // A reference table's copy on a worker: Citus passes on the message, not the constraint field.
    const remote = { message: 'duplicate key value violates unique constraint "jurisdiction_pkey_102008"' };
    expect(uniqueMessage(remote)).toMatchObject({ field: 'suffix' });
    expect(uniqueMessage({ message: 'duplicate key value violates unique constraint "other_key"' })).toBeUndefined();
  });
});
