import { USCC_ALPHABET, usccCheckChar } from '../domain/identifiers/uscc.js';
import { idCheckChar } from '../domain/identifiers/id-number.js';
import { ZONE_KIND_LABEL } from '../domain/orgs/grouping.js';
import { TEMPLATES } from '../jobs/import/templates.js';
import { seededRandom, type Random } from '../domain/random.js';

/**
 * Deterministic demo ledger: registry rows and annual-report rows with realistic shares
 * (about 2/3 individual businesses, zones, industries, Chinese names and addresses, valid check
 * characters) and a chosen share of bad rows, written with the import templates' headers.
 */
export type DemoPlace = {
  countyCode: string;
  countyName: string;
  cityName: string;
  stations: string[];
  streets: string[];
};
export type DemoOptions = {
  entities: number;
  seed: number;
  badShare?: number;
  places: DemoPlace[];
  reportYear?: number;
  today?: Date;
  /**
   * People in roles per entity (default 1: the legal representative or operator only). Each one
   * more is an investor (enterprises, cooperatives) or an employee with an ID number, drawn from
   * a random stream of its own so that the default output stays the same for a seed.
   */
  rolesPerEntity?: number;
  /** Share of those extra people who are party members on the roster (default 0), with the owners' noise. */
  memberShare?: number;
};
/** A person in a role besides the legal representative: not in the registry template, loaded by SQL (bench --load sql). */
export type DemoRole = {
  role: 'investor' | 'employee';
  name: string;
  idNumber: string;
  birthDate: string;
  phone?: string;
};

const SURNAMES =
  '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤';
const GIVEN =
  '伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国建华志强志明海燕红梅玉兰春梅金凤小红晓东晓明丹丹浩然子涵雨欣梓轩宇航俊杰欣怡佳豪思远文博';
const SHOP = [
  '小吃店',
  '便利店',
  '水果店',
  '理发店',
  '五金店',
  '服装店',
  '早餐店',
  '面馆',
  '茶叶店',
  '日用品店',
  '手机维修部',
  '干洗店',
  '烟酒店',
  '花店',
  '药店',
  '快餐店',
  '烧烤店',
  '文具店',
];
const FIRM = [
  '科技',
  '商贸',
  '餐饮管理',
  '文化传媒',
  '信息技术',
  '建筑装饰',
  '物业管理',
  '电子商务',
  '广告',
  '咨询',
  '教育科技',
  '物流',
  '医疗器械',
  '食品',
];
const BRAND = '金银鑫源达通恒瑞华泰昌盛和宏兴隆福祥嘉乐安康新锦云天月星辰';
const COOP = ['蔬菜种植', '水产养殖', '茶叶', '花卉苗木', '家禽养殖', '农机服务'];
const ZONES: [string, string][] = [
  ['market', '农贸市场'],
  ['market', '小商品市场'],
  ['building', '大厦'],
  ['building', '商务中心'],
  ['park', '创业园'],
  ['park', '科技园'],
  ['district', '商圈'],
  ['district', '步行街'],
];
const INDUSTRY: [string, number][] = [
  ['52', 30],
  ['51', 8],
  ['62', 14],
  ['61', 4],
  ['80', 10],
  ['81', 4],
  ['65', 5],
  ['72', 5],
  ['75', 3],
  ['47', 3],
  ['14', 3],
  ['18', 2],
  ['86', 3],
  ['70', 2],
  ['54', 4],
];

const pick = <T>(rnd: Random, weighted: [T, number][]): T => {
  let n = rnd.next() * weighted.reduce((s, [, w]) => s + w, 0);
  for (const [v, w] of weighted) if ((n -= w) < 0) return v;
  return weighted[0][0];
};
const chars = (rnd: Random, from: string, n: number) => Array.from({ length: n }, () => rnd.pick([...from])).join('');
const pad = (n: number, w: number) => String(n).padStart(w, '0');
const day = (d: Date) => d.toISOString().slice(0, 10);

export function personName(rnd: Random): string {
  return rnd.pick([...SURNAMES]) + (rnd.chance(0.6) ? chars(rnd, GIVEN, 2) : chars(rnd, GIVEN, 1));
}

/** A 入党日期 the roster rules accept: at 18 at the earliest (a year's margin for the month), 1985 or later. */
function joinDateOf(rnd: Random, birth: Date): string {
  const from = Math.max(1985, birth.getUTCFullYear() + 19);
  return `${rnd.int(from, Math.max(from, 2022))}-0${rnd.int(1, 9)}-01`;
}

export function idNumber(rnd: Random, division: string, birth: Date): string {
  const first17 = `${division}${day(birth).replaceAll('-', '')}${pad(rnd.int(0, 999), 3)}`;
  return first17 + idCheckChar(first17);
}

export function uscc(rnd: Random, kind: 'enterprise' | 'individual' | 'cooperative', county: string): string {
  const first17 = `9${{ enterprise: '1', individual: '2', cooperative: '3' }[kind]}${county}${chars(rnd, USCC_ALPHABET, 9)}`;
  return first17 + usccCheckChar(first17);
}

type Row = Record<string, string>;
const byField = (
  kind: 'registry' | 'annual_report' | 'roster',
  values: Record<string, string | number | undefined>,
): Row =>
  Object.fromEntries(
    TEMPLATES[kind].columns.map((c) => [c.header, values[c.field] === undefined ? '' : String(values[c.field])]),
  );

export type DemoEntity = { registry: Row; report: Row | null; members: Row[]; roles?: DemoRole[] };

/** Same sound, other character: the commonest slip when a name is typed from hearing it. */
const HOMOPHONES: Record<string, string> = {
  伟: '玮',
  明: '铭',
  华: '骅',
  军: '君',
  静: '婧',
  丽: '莉',
  杰: '洁',
  涛: '滔',
  峰: '锋',
  英: '瑛',
  红: '虹',
  平: '萍',
  建: '健',
  国: '帼',
  芳: '方',
  娜: '纳',
};
/** 1985-06-12 → 1985-06-21: the day's digits swapped (when that is still a date). */
const swapDayDigits = (d: string) => {
  const swapped = `${d.slice(0, 8)}${d[9]}${d[8]}`;
  return swapped !== d && Number(swapped.slice(8)) >= 1 && Number(swapped.slice(8)) <= 28 ? swapped : d;
};
export const homophoneOf = (name: string) =>
  [...name].map((c, i) => (i > 0 && HOMOPHONES[c] ? HOMOPHONES[c] : c)).join('');
const BRANCHES = ['社区党委', '街道机关党支部', '社区第一党支部', '退休党员党支部', '流动党员党支部'];

/** Yields entities one at a time: memory stays flat for any count. */
export function* generateLedger(o: DemoOptions): Generator<DemoEntity> {
  const rnd = seededRandom(o.seed);
  const today = o.today ?? new Date();
  const year = o.reportYear ?? today.getFullYear() - 1;
  const zones = o.places.map((p) =>
    Array.from({ length: 6 }, (_, i) => {
      const [k, suffix] = ZONES[(i + Number(p.countyCode)) % ZONES.length];
      return {
        kind: k,
        name: `${p.streets[i % p.streets.length]?.replace(/(街道|镇|乡)$/, '') ?? p.countyName}${suffix}`,
      };
    }),
  );
  const bad = o.badShare ?? 0;
  const extra = Math.max(0, Math.floor(o.rolesPerEntity ?? 1) - 1);
  const rnd2 = seededRandom((o.seed ^ 0x5bd1e995) >>> 0);
  let previous: DemoEntity | null = null;
  for (let i = 0; i < o.entities; i++) {
    const pi = rnd.int(0, o.places.length - 1);
    const place = o.places[pi];
    const kind = pick<'enterprise' | 'individual' | 'cooperative'>(rnd, [
      ['individual', 66],
      ['enterprise', 32],
      ['cooperative', 2],
    ]);
    const owner = personName(rnd);
    const brand = chars(rnd, BRAND, 2);
    const name =
      kind === 'individual'
        ? `${place.countyName}${owner}${rnd.pick(SHOP)}`
        : kind === 'enterprise'
          ? `${place.cityName}${brand}${rnd.pick(FIRM)}有限公司`
          : `${place.countyName}${brand}${rnd.pick(COOP)}专业合作社`;
    const fresh = rnd.chance(0.12);
    const registered = new Date(
      fresh
        ? today.getTime() - rnd.int(10, 360) * 86_400_000
        : Date.UTC(rnd.int(2005, today.getFullYear() - 1), rnd.int(0, 11), rnd.int(1, 28)),
    );
    const employees =
      kind === 'individual'
        ? rnd.int(1, 6)
        : kind === 'enterprise'
          ? rnd.int(2, rnd.chance(0.1) ? 300 : 40)
          : rnd.int(5, 30);
    const zone = rnd.chance(0.3) ? rnd.pick(zones[pi]) : null;
    const birth = new Date(Date.UTC(rnd.int(1958, 2002), rnd.int(0, 11), rnd.int(1, 28)));
    const status = rnd.chance(0.93) ? '存续' : rnd.pick(['注销', '吊销', '迁出']);
    const code = uscc(rnd, kind, place.countyCode);
    const registry = byField('registry', {
      uscc: code,
      name,
      kind: { enterprise: '企业', individual: '个体工商户', cooperative: '农民专业合作社' }[kind],
      status,
      registeredOn: day(registered),
      address: `${place.cityName}${place.countyName}${rnd.pick(place.streets) ?? ''}${rnd.int(1, 300)}号`,
      countyCode: place.countyCode,
      stationCode: place.stations.length ? rnd.pick(place.stations) : undefined,
      zoneName: zone?.name,
      zoneKind: zone ? ZONE_KIND_LABEL[zone.kind as keyof typeof ZONE_KIND_LABEL] : undefined,
      industry: pick(rnd, INDUSTRY),
      sizeClass: kind === 'enterprise' ? (employees > 100 ? '小型' : '微型') : undefined,
      employees,
      repName: owner,
      repIdNumber: rnd.chance(0.95)
        ? idNumber(rnd, `${place.countyCode.slice(0, 4)}${pad(rnd.int(1, 20), 2)}`, birth)
        : undefined,
      repPhone: rnd.chance(0.9)
        ? `1${rnd.pick(['3', '5', '7', '8', '9'])}${pad(rnd.int(0, 999_999_999), 9)}`
        : undefined,
    });
    const members =
      kind === 'individual' ? (rnd.chance(0.03) ? 1 : 0) : rnd.chance(0.1) ? rnd.int(1, Math.min(employees, 8)) : 0;
    const orgForm = members >= 3 && rnd.chance(0.6) ? 1 : 0;
    const report =
      status === '存续' && !fresh && rnd.chance(0.88)
        ? byField('annual_report', {
            uscc: code,
            year,
            filingStatus: '已报送',
            filedOn: `${year + 1}-0${rnd.int(1, 6)}-${pad(rnd.int(1, 28), 2)}`,
            employees,
            partyMembers: members,
            partyOrgForm: orgForm,
            partyOrgWay: orgForm ? 1 : undefined,
            partyOrgSetOn: orgForm ? `${rnd.int(2015, year)}-07-01` : undefined,
            repIsMember: members > 0 && rnd.chance(0.4) ? '是' : '否',
            repIsSecretary: orgForm && rnd.chance(0.5) ? '是' : '否',
          })
        : null;
    // About one in twenty owners is a party member on the roster, declared or not: the hidden
    // members discovery has to find. A fifth of them have no usable ID number on the roster;
    // of those, some names are written with a homophone, some birth dates have two digits
    // swapped, and some phones are stale.
    const roster: Row[] = [];
    if (rnd.chance(members > 0 ? 0.7 : 0.04)) {
      const withId = rnd.chance(0.8) && registry['法定代表人/经营者身份证号'];
      const phone = registry['法定代表人/经营者手机'] || undefined;
      roster.push(
        byField('roster', {
          name: !withId && rnd.chance(0.3) ? homophoneOf(owner) : owner,
          idNumber: withId ? registry['法定代表人/经营者身份证号'] : undefined,
          birthDate: !withId && rnd.chance(0.1) ? swapDayDigits(day(birth)) : day(birth),
          membership: rnd.chance(0.95) ? '正式党员' : '预备党员',
          joinDate: joinDateOf(rnd, birth),
          orgRelation: rnd.chance(0.15)
            ? `${name}党支部`
            : `${rnd.pick(place.streets) ?? place.countyName}${rnd.pick(BRANCHES)}`,
          memberStatus: rnd.chance(0.05) ? '流动' : '正常',
          phone: !rnd.chance(0.8)
            ? undefined
            : phone && rnd.chance(0.1)
              ? `1${rnd.pick(['3', '5', '8'])}${pad(rnd.int(0, 999_999_999), 9)}`
              : phone,
        }),
      );
    }
    let out: DemoEntity = { registry, report, members: roster };
    if (extra > 0) {
      const roles = extraRoles(rnd2, extra, kind, place, name, o.memberShare ?? 0);
      out = {
        ...out,
        roles: roles.map((r) => r.role),
        members: [...roster, ...roles.flatMap((r) => (r.member ? [r.member] : []))],
      };
    }
    if (bad > 0 && rnd.chance(bad))
      out = out.roles ? { ...spoil(rnd, out, previous), roles: out.roles } : spoil(rnd, out, previous);
    previous = out;
    yield out;
  }
}

/**
 * Investors and employees of one entity, with ID numbers from divisions 21–99 (owners use 01–20,
 * so the two never collide), and the ones on the roster with the owners' noise: a fifth without
 * a usable number, homophones and swapped digits among those, some stale or missing phones.
 */
function extraRoles(
  rnd: Random,
  n: number,
  kind: 'enterprise' | 'individual' | 'cooperative',
  place: DemoPlace,
  entityName: string,
  memberShare: number,
): { role: DemoRole; member: Row | null }[] {
  const out: { role: DemoRole; member: Row | null }[] = [];
  for (let k = 0; k < n; k++) {
    const name = personName(rnd);
    const birth = new Date(Date.UTC(rnd.int(1958, 2004), rnd.int(0, 11), rnd.int(1, 28)));
    const id = idNumber(rnd, `${place.countyCode.slice(0, 4)}${pad(rnd.int(21, 99), 2)}`, birth);
    const phone = rnd.chance(0.85)
      ? `1${rnd.pick(['3', '5', '7', '8', '9'])}${pad(rnd.int(0, 999_999_999), 9)}`
      : undefined;
    const role: DemoRole = {
      role: kind !== 'individual' && k === 0 ? 'investor' : 'employee',
      name,
      idNumber: id,
      birthDate: day(birth),
      phone,
    };
    let member: Row | null = null;
    if (memberShare > 0 && rnd.chance(memberShare)) {
      const withId = rnd.chance(0.8);
      member = byField('roster', {
        name: !withId && rnd.chance(0.3) ? homophoneOf(name) : name,
        idNumber: withId ? id : undefined,
        birthDate: !withId && rnd.chance(0.1) ? swapDayDigits(day(birth)) : day(birth),
        membership: rnd.chance(0.95) ? '正式党员' : '预备党员',
        joinDate: joinDateOf(rnd, birth),
        orgRelation: rnd.chance(0.15)
          ? `${entityName}党支部`
          : `${rnd.pick(place.streets) ?? place.countyName}${rnd.pick(BRANCHES)}`,
        memberStatus: rnd.chance(0.05) ? '流动' : '正常',
        phone: !rnd.chance(0.8)
          ? undefined
          : phone && rnd.chance(0.1)
            ? `1${rnd.pick(['3', '5', '8'])}${pad(rnd.int(0, 999_999_999), 9)}`
            : phone,
      });
    }
    out.push({ role, member });
  }
  return out;
}

/** One realistic mistake: a mistyped code, an impossible date, a missing name, a duplicate, too many members. */
function spoil(rnd: Random, e: DemoEntity, previous: DemoEntity | null): DemoEntity {
  const reg = { ...e.registry };
  const rep = e.report ? { ...e.report } : null;
  switch (rnd.int(0, 4)) {
    case 0: {
      const c = reg['统一社会信用代码'];
      const alt = c[17] === '0' ? '1' : '0';
      reg['统一社会信用代码'] = c.slice(0, 17) + alt;
      if (rep) rep['统一社会信用代码'] = reg['统一社会信用代码'];
      break;
    }
    case 1:
      reg['成立日期'] = '2023-02-30';
      break;
    case 2:
      reg['名称'] = '';
      break;
    case 3:
      if (previous)
        return {
          registry: { ...previous.registry },
          report: previous.report ? { ...previous.report } : null,
          members: [],
        };
      reg['主体类型'] = '外星企业';
      break;
    default:
      if (rep) rep['党员人数（含预备党员）'] = String(Number(rep['从业人数'] || 1) + 5);
      else reg['从业人数'] = '十二';
  }
  return { registry: reg, report: rep, members: e.members };
}
