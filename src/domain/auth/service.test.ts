import { describe, expect, it } from 'vitest';
import { writePermissionOf } from './service.js';

describe('the permission a delivered import needs', () => {
  it('is credit.write for both credit lists, the kind’s own for the others, none for an unknown kind', () => {
    // The credit lists' kinds are abnormal_list and untrustworthy_list: no service account could deliver them (round-6 probe).
    expect(writePermissionOf('abnormal_list')).toBe('credit.write');
    expect(writePermissionOf('untrustworthy_list')).toBe('credit.write');
    expect(writePermissionOf('registry')).toBe('registry.write');
    expect(writePermissionOf('annual_report')).toBe('annual_report.write');
    expect(writePermissionOf('roster')).toBe('roster.write');
    expect(writePermissionOf('changes')).toBeNull();
  });
});
