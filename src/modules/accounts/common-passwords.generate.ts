/**
 * Builds common-passwords.txt, the list behind the COMMON_PASSWORD rule (ACC-3).
 *
 * No third-party list is copied: the file is generated here from well-known patterns — the
 * passwords at the top of every published leak analysis (e.g. Li, Han and Xu, "A Large-Scale
 * Empirical Analysis of Chinese Web Passwords", USENIX Security 2014, on the CSDN, Tianya, 7k7k,
 * Dodonew and 178 leaks; the yearly "top passwords" lists), digit runs and repeats, keyboard
 * walks, and the usual words and pinyin surnames with the usual endings (123, 520, 1314, years).
 * Everything is lower-case; the check lower-cases too.
 *
 * Run `npx tsx src/modules/accounts/common-passwords.generate.ts` after changing it; a test
 * fails while the file and this generator disagree.
 */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';

const WELL_KNOWN = `
123456 123456789 12345678 1234567890 111111 000000 11111111 123123 5201314 1314520 666666 888888 88888888
123321 654321 7758521 7758258 147258369 159357 147258 123123123 112233 521521 1314521 520520 521314
woaini woaini1314 woaini520 woaini521 woaini123 woaini1314520 aini1314 iloveyou iloveyou1 iloveu
a123456 a123456789 a12345678 aa123456 aa123456789 abc123456 abc123 abcd1234 abc12345 qq123456 qq123456789
qwe123 qwe123456 asd123 asd123456 zxc123 zxc123456 qaz123 wsx123 1qaz2wsx 1qazxsw2 zaq12wsx 1q2w3e4r 1q2w3e4r5t
q1w2e3r4 q1w2e3r4t5 1234qwer qwer1234 asdf1234 zxcv1234 1q2w3e a1b2c3 a1b2c3d4 aaaaaa abcdef abcdefg abcdefgh
abc123abc aa112233 abcabc abcabc123 dearbook woshishui wodemima mima123 mima zhanghao caonima nimabi
woaiwojia woaimama woaibaba xiaoming xiaohong baobao laopo laogong zhongguo china china123 beijing shanghai
shenzhen guangzhou tianya tianya123 baidu baidu123 taobao alibaba weixin wechat qqqqqq qazwsx qazwsxedc
password password1 password12 password123 passw0rd p@ssw0rd p@ssword qwerty qwerty1 qwerty12 qwerty123
qwertyuiop azerty admin admin123 administrator root welcome welcome1 letmein monkey dragon football baseball
basketball soccer hockey sunshine princess master shadow superman batman michael jennifer jordan jordan23
trustno1 starwars whatever freedom mustang charlie hello hello123 login secret changeme test test123 testtest
guest default computer internet samsung apple google pokemon naruto cookie chocolate flower summer winter
lovely love loveme tigger killer ninja pass pass123 access matrix cheese hunter hunter2 buster harley ranger
liverpool chelsea arsenal barcelona realmadrid zxcvbnm zxcvbnm123 asdfghjkl 1qaz2wsx3edc !qaz2wsx !qaz@wsx
1qaz@wsx 1qaz!qaz zaq1xsw2 qweasdzxc qweasd asdasd qweqwe zxczxc 123qwe 123asd 123abc 1234abcd
`;

const WORDS = `password passw0rd p@ssw0rd pass admin root test user guest welcome letmein iloveyou love woaini aini
wo qq a aa aaa abc abcd abcde abcdef qwe qwer qwert qwerty asd asdf zxc zxcv qaz wsx mima china zhongguo beijing
shanghai baobao laopo laogong xiaobao tianya baidu taobao monkey dragon master sunshine princess football hello
superman batman michael jordan apple summer flower lucky happy angel baby honey kitty
wang zhang li liu chen yang zhao huang zhou wu xu sun hu zhu gao lin he guo ma luo liang song zheng xie han tang
feng dong xiao cheng cao yuan deng fu shen zeng peng lv su lu jiang cai jia ding wei xue ye yan yu pan du dai xia
zhong wangwei zhangwei liwei wangfang liuyang lijing zhangmin wangjing`;

const SUFFIXES = ['', '1', '12', '123', '1234', '12345', '123456', '1234567', '12345678', '123456789', '0', '00', '000', '01',
  '007', '11', '111', '666', '888', '999', '520', '521', '1314', '5201314', '1314520', '168', '110', '!', '@', '#', '.',
  '123!', '123.', '@123', '#123', '!@#', '123!@#', '1!', '12!', '123@', '_123', '-123'];

const words = (s: string) => s.split(/\s+/).filter(Boolean);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

function repeatTo(block: string, maxLength: number): string[] {
  const out: string[] = [];
  for (let s = block + block; s.length <= maxLength; s += block) out.push(s);
  return out;
}

function prefixes(s: string, min: number): string[] {
  return range(min, s.length).map((n) => s.slice(0, n));
}

export function generateCommonPasswords(): string[] {
  const out = new Set<string>(words(WELL_KNOWN));
  const add = (xs: Iterable<string>) => { for (const x of xs) out.add(x.toLowerCase()); };
  // Digits: one digit repeated, runs up and down, short blocks repeated.
  for (const d of '0123456789') add(range(4, 16).map((n) => d.repeat(n)));
  add(prefixes('01234567890', 4));
  add(prefixes('1234567890', 4));
  add(prefixes('9876543210', 4));
  add(['54321', '4321', '654321', '7654321', '87654321', '987654321', '12345678910', '123456789a']);
  for (const block of ['12', '123', '1234', '12345', '123456', '520', '521', '1314', '5201314', '110', '147', '258', '369', '159', '357',
    '789', '456', '168', '518', '00', '01', '10', '11', '13', '21', '69', '88', '99', 'abc', 'qwe', 'asd', 'zxc', 'ab', 'aa', 'qq']) add(repeatTo(block, 16));
  // Keyboard walks.
  for (const walk of ['qwertyuiop', 'asdfghjkl', 'zxcvbnm', '1qaz2wsx3edc4rfv5tgb', '1q2w3e4r5t6y7u8i9o0p', 'q1w2e3r4t5y6u7i8o9p0',
    'qazwsxedcrfvtgb', 'zaq1xsw2cde3vfr4', 'poiuytrewq', 'lkjhgfdsa', 'mnbvcxz', '!qaz@wsx#edc', '1qaz@wsx#edc', 'qweasdzxc', '147258369', '159753', '741852963']) add(prefixes(walk, 6));
  // Words and names with the usual endings, and years 1980–2026 (birth years, the current year).
  const years = range(1980, 2026).map(String);
  for (const w of words(WORDS)) {
    add(SUFFIXES.map((s) => w + s));
    add(years.map((y) => w + y));
    add([w + w]);
  }
  for (const p of ['123', '1234', '520', '1314', '5201314', '147']) add(['abc', 'qwe', 'asd', 'zxc', 'qq', 'woaini', 'aini', 'love', 'wang', 'zhang', 'li', 'a', 'aa'].map((w) => p + w));
  return [...out].sort();
}

export const COMMON_PASSWORDS_FILE = fileURLToPath(new URL('./common-passwords.txt', import.meta.url));

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const list = generateCommonPasswords();
  fs.writeFileSync(COMMON_PASSWORDS_FILE, `${list.join('\n')}\n`);
  console.log(`${list.length} passwords written to ${COMMON_PASSWORDS_FILE}`);
}
