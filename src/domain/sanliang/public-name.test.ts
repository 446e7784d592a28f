import { describe, expect, it } from 'vitest';
import { publicEntityName } from './public-name.js';

describe('entity names on the public plaque page', () => {
  it('masks the operator’s known name inside an individual business’s name', () => {
    expect(publicEntityName('张三水果店', 'individual', ['张三'])).toBe('张*水果店');
    expect(publicEntityName('南京市玄武区欧阳娜娜美甲店', 'individual', ['欧阳娜娜', null])).toBe(
      '南京市玄武区欧***美甲店',
    );
  });
  it('masks a known person in any entity’s name, and leaves a company without one alone', () => {
    expect(publicEntityName('李四餐饮管理有限公司', 'enterprise', ['李四'])).toBe('李*餐饮管理有限公司');
    expect(publicEntityName('南京新街口百货有限公司', 'enterprise', ['王五'])).toBe('南京新街口百货有限公司');
  });
  it('falls back to masking after a surname when the operator is unknown', () => {
    expect(publicEntityName('玄武区王小明理发店', 'individual', [])).toBe('玄武区王**理发店');
    expect(publicEntityName('张三水果店', 'individual', [])).toBe('张**果店');
    expect(publicEntityName('便民水果店', 'individual', [])).toBe('便民水果店');
  });
});
