import { useState, type ReactNode } from 'react';
import { Layout, Menu, Breadcrumb, Dropdown, Button, Grid, Typography, Tag, Drawer } from 'antd';
import {
  HomeOutlined,
  ApartmentOutlined,
  FlagOutlined,
  TeamOutlined,
  DesktopOutlined,
  SettingOutlined,
  AuditOutlined,
  UserOutlined,
  MenuOutlined,
  ApiOutlined,
  ShopOutlined,
  BankOutlined,
  CloudUploadOutlined,
  IdcardOutlined,
  FileSearchOutlined,
  ClusterOutlined,
  PieChartOutlined,
  BulbOutlined,
  SolutionOutlined,
  SafetyCertificateOutlined,
} from '@ant-design/icons';
import { NotificationOutlined } from '@ant-design/icons';
import {
  EnvironmentOutlined,
  TrophyOutlined,
  StopOutlined,
  ReadOutlined,
  DashboardOutlined,
  CarOutlined,
  HeartOutlined,
  MessageOutlined,
  TableOutlined,
  RiseOutlined,
} from '@ant-design/icons';
import { Link, useLocation, useNavigate } from 'react-router-dom';
import { useAuth } from './auth';
import { Bell } from './components/Bell';
import type { Narrowing } from '@domain/auth/binding';

type Item = { key: string; label: string; icon: ReactNode; permission?: string | string[] };

/** Menu entries; each appears only to roles that may use it. */
export const MENU: Item[] = [
  { key: '/', label: '工作台', icon: <HomeOutlined /> },
  { key: '/work', label: '通知与任务', icon: <NotificationOutlined />, permission: 'data.read' },
  { key: '/dashboard', label: '数据看板', icon: <DashboardOutlined />, permission: 'data.read' },
  { key: '/coverage', label: '两个覆盖', icon: <PieChartOutlined />, permission: 'data.read' },
  { key: '/entities', label: '市场主体台账', icon: <ShopOutlined />, permission: 'data.read' },
  { key: '/entities/unassigned', label: '待分配基层所', icon: <EnvironmentOutlined />, permission: 'data.write' },
  { key: '/zones', label: '市场·园区·楼宇', icon: <BankOutlined />, permission: 'data.read' },
  { key: '/members', label: '党员名册', icon: <IdcardOutlined />, permission: 'data.read' },
  { key: '/discovery', label: '查找党员', icon: <FileSearchOutlined />, permission: 'data.read' },
  { key: '/orgs', label: '党组织', icon: <ClusterOutlined />, permission: 'data.read' },
  { key: '/proposals', label: '组建建议', icon: <BulbOutlined />, permission: 'data.read' },
  { key: '/instructors', label: '党建指导员', icon: <SolutionOutlined />, permission: 'data.read' },
  { key: '/sanliang', label: '三亮', icon: <SafetyCertificateOutlined />, permission: 'data.read' },
  { key: '/points', label: '联系点·示范点', icon: <EnvironmentOutlined />, permission: 'data.read' },
  { key: '/honours', label: '荣誉', icon: <TrophyOutlined />, permission: 'data.read' },
  { key: '/exit-reviews', label: '退出复核', icon: <StopOutlined />, permission: 'data.read' },
  { key: '/education', label: '学习教育与书记培训', icon: <ReadOutlined />, permission: 'data.read' },
  { key: '/new-employment', label: '新业态新就业群体', icon: <CarOutlined />, permission: 'data.read' },
  { key: '/assistance', label: '帮扶', icon: <HeartOutlined />, permission: 'data.read' },
  { key: '/appeals', label: '诉求直通与走访', icon: <MessageOutlined />, permission: 'data.read' },
  { key: '/reports', label: '统计报表', icon: <TableOutlined />, permission: 'data.read' },
  { key: '/assessment', label: '年度目标考核', icon: <RiseOutlined />, permission: 'data.read' },
  { key: '/imports', label: '数据导入', icon: <CloudUploadOutlined />, permission: 'data.write' },
  { key: '/stations', label: '辖区与基层所', icon: <ApartmentOutlined />, permission: 'jurisdiction.read' },
  { key: '/units', label: '党委与指导站', icon: <FlagOutlined />, permission: 'units.read' },
  { key: '/accounts', label: '账号管理', icon: <TeamOutlined />, permission: 'accounts.read' },
  { key: '/sessions', label: '在线会话', icon: <DesktopOutlined />, permission: 'sessions.manage' },
  {
    key: '/service-accounts',
    label: '系统对接账号',
    icon: <ApiOutlined />,
    permission: 'service_accounts.read',
  },
  {
    key: '/settings',
    label: '部署设置',
    icon: <SettingOutlined />,
    permission: ['settings.security', 'settings.rules'],
  },
  { key: '/audit', label: '审计日志', icon: <AuditOutlined />, permission: 'audit.read' },
];

/**
 * The pages of an account narrowed to its own work (the routes it may call: domain/auth/binding.ts):
 * a unit account (联系点/行业党委) its 工作台 and its cases; an instructor its 工作台 (its round) and its
 * guidance records. No entry opens on a page it would be refused.
 */
const NARROWED_MENU: Record<Narrowing, readonly string[]> = {
  unit: ['/', '/appeals'],
  instructor: ['/', '/instructors'],
};

export function AppLayout({ children }: { children: ReactNode }) {
  const { me, logout, can, narrowed } = useAuth();
  const nav = useNavigate();
  const loc = useLocation();
  const screens = Grid.useBreakpoint();
  const mobile = !screens.lg;
  const [collapsed, setCollapsed] = useState(mobile);
  // Crossing the breakpoint (a phone turned, a window resized) closes the phone drawer.
  const [wasMobile, setWasMobile] = useState(mobile);
  if (wasMobile !== mobile) {
    setWasMobile(mobile);
    setCollapsed(mobile);
  }
  const items = MENU.filter((m) => !m.permission || [m.permission].flat().some(can))
    .filter((m) => !narrowed || NARROWED_MENU[narrowed].includes(m.key))
    .map(({ key, label, icon }) => ({ key, label, icon }));
  // A page reached from another one's list lights that list's entry (a station's guidance post: 辖区与基层所).
  const path = loc.pathname.replace(/^\/guidance-posts\b/, '/stations');
  // The most specific entry only (待分配基层所 lies under 市场主体台账's path).
  const selected = MENU.filter((m) => m.key !== '/' && path.startsWith(m.key))
    .map((m) => m.key)
    .sort((a, b) => b.length - a.length)
    .slice(0, 1);
  const menu = (
    <>
      <Menu
        mode="inline"
        selectedKeys={selected.length ? selected : ['/']}
        items={items}
        onClick={(e) => {
          void nav(e.key);
          if (mobile) setCollapsed(true);
        }}
      />
      {!collapsed && (
        <div style={{ padding: 16 }}>
          <a href="/api/docs" target="_blank" rel="noreferrer">
            <ApiOutlined /> 接口文档
          </a>
        </div>
      )}
    </>
  );
  return (
    <Layout style={{ minHeight: '100vh' }}>
      {/* On a phone the menu is a drawer over the page: opening it never squeezes the content. */}
      {mobile ? (
        <Drawer
          placement="left"
          open={!collapsed}
          onClose={() => setCollapsed(true)}
          size={240}
          title="小个专党建工作平台"
          styles={{ body: { padding: 0 } }}
        >
          {menu}
        </Drawer>
      ) : (
        <Layout.Sider
          theme="light"
          collapsedWidth={64}
          collapsed={collapsed}
          trigger={null}
          width={208}
          style={{ borderRight: '1px solid #f0f0f0' }}
        >
          <div
            style={{
              height: 56,
              display: 'flex',
              alignItems: 'center',
              justifyContent: 'center',
              background: '#c62828',
              color: '#fff',
              fontWeight: 600,
              whiteSpace: 'nowrap',
              overflow: 'hidden',
            }}
          >
            {collapsed ? '小个专' : '小个专党建工作平台'}
          </div>
          {menu}
        </Layout.Sider>
      )}
      <Layout style={{ minWidth: 0 }}>
        <Layout.Header
          style={{
            background: '#fff',
            padding: '0 16px',
            display: 'flex',
            alignItems: 'center',
            gap: 12,
            borderBottom: '1px solid #f0f0f0',
            height: 56,
            lineHeight: '56px',
          }}
        >
          <Button type="text" icon={<MenuOutlined />} onClick={() => setCollapsed(!collapsed)} aria-label="菜单" />
          <Breadcrumb
            style={{ flex: 1, overflow: 'hidden', whiteSpace: 'nowrap' }}
            items={me!.jurisdiction.path.slice(mobile ? -1 : 0).map((p) => ({ title: p.name }))}
          />
          {can('data.read') && <Bell />}
          <Dropdown
            menu={{
              items: [
                {
                  key: 'roles',
                  label: (
                    <span>
                      {me!.roles.map((r) => (
                        <Tag key={r.code}>{r.label}</Tag>
                      ))}
                    </span>
                  ),
                  disabled: true,
                },
                { key: 'logout', label: '退出登录' },
              ],
              onClick: (e) => {
                if (e.key === 'logout') void logout().then(() => nav('/'));
              },
            }}
          >
            <Button type="text" icon={<UserOutlined />}>
              {screens.sm ? me!.displayName : ''}
            </Button>
          </Dropdown>
        </Layout.Header>
        <Layout.Content style={{ padding: mobile ? 12 : 24, minWidth: 0 }}>{children}</Layout.Content>
        <Layout.Footer style={{ textAlign: 'center', padding: 12 }}>
          <Typography.Text type="secondary">
            小个专党建工作平台 · 数据仅限辖区内使用，个人信息受保护，操作全程留痕
          </Typography.Text>
        </Layout.Footer>
      </Layout>
    </Layout>
  );
}

export function PageTitle({ title, extra }: { title: string; extra?: ReactNode }) {
  return (
    <div
      style={{
        display: 'flex',
        justifyContent: 'space-between',
        alignItems: 'center',
        marginBottom: 16,
        gap: 8,
        flexWrap: 'wrap',
      }}
    >
      <Typography.Title level={4} style={{ margin: 0 }}>
        {title}
      </Typography.Title>
      <div>{extra}</div>
    </div>
  );
}

export { Link };
