/**
 * An entity's name as the public plaque page shows it. An individual business is often named
 * after its operator ("张三水果店"), which would defeat the masked member name beside it. So a
 * person's name known from the entity's people (operator, investors, the member) is masked
 * wherever it appears in the entity's name (first character kept: "张*水果店"); for an
 * individual business with no known name in it, a conservative rule masks the two characters
 * after a common surname at the start of the name proper (after any place prefix).
 */
const SURNAMES =
  '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝';
const COMPOUND = [
  '欧阳',
  '司马',
  '上官',
  '诸葛',
  '东方',
  '皇甫',
  '尉迟',
  '公孙',
  '慕容',
  '令狐',
  '夏侯',
  '长孙',
  '宇文',
  '司徒',
  '端木',
];
const PLACE_PREFIX = /^(?:.{1,12}?(?:自治区|特别行政区|省|市|自治州|州|盟|地区|区|县|旗|镇|乡|街道))+/u;

const maskName = (name: string) => name[0] + '*'.repeat([...name].length - 1);

export function publicEntityName(entityName: string, entityKind: string, people: (string | null)[]): string {
  let out = entityName;
  let found = false;
  const names = [...new Set(people.filter((n): n is string => !!n && [...n].length >= 2))].sort(
    (a, b) => b.length - a.length,
  );
  for (const n of names) {
    if (out.includes(n)) {
      out = out.split(n).join(maskName(n));
      found = true;
    }
  }
  if (found || entityKind !== 'individual') return out;
  // No known name in it: mask what looks like one at the start of the name proper.
  const prefix = out.match(PLACE_PREFIX)?.[0] ?? '';
  const rest = [...out.slice(prefix.length)];
  const compound = COMPOUND.find((c) => out.slice(prefix.length).startsWith(c));
  const surnameLen = compound ? 2 : SURNAMES.includes(rest[0] ?? '') ? 1 : 0;
  if (!surnameLen || rest.length < surnameLen + 2) return out;
  const take = Math.min(2, rest.length - surnameLen - 1); // keep at least one character of the trade name
  return prefix + rest.slice(0, surnameLen).join('') + '*'.repeat(take) + rest.slice(surnameLen + take).join('');
}
