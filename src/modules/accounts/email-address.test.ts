import { describe, expect, it } from 'vitest';
import { isPlausibleEmail, maskEmail, normaliseEmail, sameName } from './email-address.ts';

describe('e-mail addresses of accounts (ACC-1, ACC-6)', () => {
  it('are compared lower-cased and trimmed', () => {
    expect(normaliseEmail('  Zhang.San@QQ.com ')).toBe('zhang.san@qq.com');
  });

  it('accept ordinary addresses and refuse what cannot be one', () => {
    for (const ok of ['a@b.cn', 'zhang.san+cet@mail.example.edu.cn', '123456@qq.com']) expect(isPlausibleEmail(ok), ok).toBe(true);
    for (const bad of ['', 'a@b', '@qq.com', 'a b@qq.com', 'a@-qq.com', 'a@qq..com', `${'x'.repeat(65)}@qq.com`, 'a@qq.com\n']) expect(isPlausibleEmail(bad), bad).toBe(false);
  });

  it('are shown masked as the first character and the domain, whatever the length (ACC-6)', () => {
    expect(maskEmail('zhangsan@qq.com')).toBe('z***@qq.com');
    expect(maskEmail('z@qq.com')).toBe('z***@qq.com');
    expect(maskEmail('broken')).toBe('***');
  });

  it('names match across full-width forms, spaces and middle dots, never when empty', () => {
    expect(sameName('欧阳 婷', '欧阳婷')).toBe(true);
    expect(sameName('买买提·艾力', '买买提艾力')).toBe(true);
    expect(sameName('ＡＢＣ', 'abc')).toBe(true);
    expect(sameName('王思雨', '王思宇')).toBe(false);
    expect(sameName(' ', '')).toBe(false);
  });
});
