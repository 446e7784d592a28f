/**
 * Roles and what they may do. 三员分立: the three administrator duties are held by separate
 * accounts; business roles carry no administrator duty.
 */
export const ROLES = {
  sysadmin: '系统管理员',
  secadmin: '安全管理员',
  auditor: '安全审计员',
  editor: '局业务编辑',
  viewer: '局业务查看',
  station_staff: '基层所工作人员',
  instructor: '党建工作指导员',
  unit_staff: '联系点/行业党委工作人员',
} as const;

export type Role = keyof typeof ROLES;
export const ROLE_CODES = Object.keys(ROLES) as Role[];
export const ADMIN_DUTIES: readonly Role[] = ['sysadmin', 'secadmin', 'auditor'];

export const PERMISSIONS = {
  'jurisdiction.read': '查看辖区与基层所',
  'jurisdiction.manage': '新建、修改基层所',
  'units.read': '查看"小个专"党委与指导站',
  'units.manage': '维护"小个专"党委与指导站',
  'accounts.read': '查看账号',
  'accounts.manage': '新建、停用账号，分配业务角色，重置密码',
  'accounts.grant_duties': '分配管理员职责（三员）',
  'accounts.reset': '为业务账号发放一次性密码',
  'sessions.manage': '查看在线会话、强制下线、解锁账号',
  'service_accounts.manage': '新建、修改、吊销系统对接服务账号（令牌由业务部门确认启用时领取）',
  'service_accounts.read': '查看系统对接服务账号（业务部门据此确认启用、领取令牌）',
  'settings.read': '查看部署设置（本职责所管的部分）',
  'settings.security': '修改安全策略',
  'settings.rules': '修改组织设置规则阈值',
  'audit.read': '查阅审计日志',
  'data.read': '查看业务台账',
  'data.write': '维护业务台账',
  'personal.reveal': '查看完整个人信息（留痕）',
  'guidance.write': '登记走访与指导记录',
} as const;
export type Permission = keyof typeof PERMISSIONS;

const BUSINESS_READ: Permission[] = ['jurisdiction.read', 'units.read', 'data.read'];

export const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  // 三员分立: the system administrator manages accounts and roles but never holds a credential;
  // the security administrator issues one-time passwords for business accounts only. Credentials
  // of duty accounts are set on the server (xgz user …), never shown to another duty holder.
  sysadmin: ['jurisdiction.read', 'accounts.read', 'accounts.manage', 'settings.read', 'settings.rules'],
  // Service accounts (other systems' tokens) are credentials too: the security administrator issues them.
  secadmin: [
    'accounts.read',
    'accounts.grant_duties',
    'accounts.reset',
    'sessions.manage',
    'settings.read',
    'settings.security',
    'service_accounts.manage',
    'service_accounts.read',
  ],
  auditor: ['audit.read'],
  editor: [
    ...BUSINESS_READ,
    'jurisdiction.manage',
    'units.manage',
    'data.write',
    'guidance.write',
    'personal.reveal',
    'service_accounts.read',
  ],
  viewer: BUSINESS_READ,
  station_staff: [...BUSINESS_READ, 'units.manage', 'data.write', 'guidance.write', 'personal.reveal'],
  // An instructor (often a volunteer from outside the bureau) reads and logs its own work only: the
  // routes it may call are listed in binding.ts, row-level security narrows what they read (0140).
  instructor: ['data.read', 'guidance.write'],
  // A platform's contact point or a rider industry committee: works the cases routed to its unit
  // (row-level security narrows the cases; the routes it may call are listed in binding.ts).
  unit_staff: ['data.read', 'data.write'],
};

export function permissionsOf(roles: readonly string[]): Set<Permission> {
  const out = new Set<Permission>();
  for (const r of roles) for (const p of ROLE_PERMISSIONS[r as Role] ?? []) out.add(p);
  return out;
}

/** The roles that grant a permission. */
export const rolesWith = (p: Permission): Role[] => ROLE_CODES.filter((r) => ROLE_PERMISSIONS[r].includes(p));

export const isAdminDuty = (role: string): boolean => (ADMIN_DUTIES as readonly string[]).includes(role);

/** An account must need a second factor when it holds an administrator duty, or when the deployment says all must. */
export const requiresTotp = (roles: readonly string[], requireForAll: boolean): boolean =>
  requireForAll || roles.some(isAdminDuty);

/** Returns a Chinese reason when the role set breaks a rule, else null. */
export function checkRoleSet(roles: readonly string[]): string | null {
  const unknown = roles.filter((r) => !(r in ROLES));
  if (unknown.length) return `未知角色：${unknown.join('、')}`;
  if (new Set(roles).size !== roles.length) return '角色重复';
  const duties = roles.filter(isAdminDuty);
  if (duties.length > 1) {
    return `三员分立：一个账号不能同时担任${duties.map((d) => ROLES[d as Role]).join('与')}`;
  }
  if (duties.length === 1 && roles.length > 1) return `三员分立：${ROLES[duties[0] as Role]}账号不能兼任业务角色`;
  if (roles.length === 0) return '至少分配一个角色';
  if (roles.includes('unit_staff') && roles.length > 1)
    return `${ROLES.unit_staff}账号只办理本单位诉求，不能兼任其他角色`;
  if (roles.includes('instructor') && roles.length > 1)
    return `${ROLES.instructor}账号只做本人的指导工作，不能兼任其他角色`;
  return null;
}
