import { useEffect, useMemo, useState } from 'react';
import {
  Alert,
  App,
  Button,
  Card,
  Col,
  DatePicker,
  Form,
  Input,
  Row,
  Select,
  Space,
  Statistic,
  Table,
  Tabs,
  Tag,
} from 'antd';
import { DownloadOutlined, PlusOutlined } from '@ant-design/icons';
import { Link, useSearchParams } from 'react-router-dom';
import dayjs from 'dayjs';
import { call, withQuery } from '../api';
import {
  createCard,
  createCommittee,
  createMobileBranch,
  createPlatform,
  createStation,
  exportCards,
  exportPlatforms,
  exportRiderOrgs,
  exportStations,
  listApprovers,
  listCards,
  listPlatforms,
  listRiderOrgs,
  listStations,
  newEmploymentFigures,
  updateCard,
  type CardRow,
  type NewEmploymentFigures,
  type PlatformRow,
  type RiderOrgRow,
  type StationRow,
} from '@server/features/platforms/contract';
import type { BodyOf, ResponseOf } from '@server/http/contract';
import { useAuth } from '../auth';
import { PageTitle } from '../Layout';
import { usePaged } from '../components/usePaged';
import { applyProblem } from '../components/problem';
import { JurisdictionPicker } from '../components/JurisdictionPicker';
import { FormModal } from '../components/FormModal';
import { SearchSelect } from '../components/SearchSelect';
import { listEntities } from '@server/features/entities/contract';
import { listMembers } from '@server/features/members/contract';
import { EChart } from '../components/EChart';
import { AreaBars } from '../components/AreaBars';
import { isFuture, pct, toOptions, ymd } from '../components/format';
import {
  BUSINESS_LABEL,
  CARD_STATE_LABEL,
  ORG_STATUS_LABEL,
  RIDER_ORG_TYPE_LABEL,
  STATION_STATUS_LABEL,
} from '../components/labels';
import { useFilters, useReloadOn } from '../components/hooks';
import { PlatformDrawer, StationDrawer, CoverageTags } from './NewEmploymentDrawers';
import { ChildrenTable } from '../components/ChildrenTable';

/** 新业态新就业群体: platforms → partner firms → delivery stations and riders; committees and mobile branches; cards; sector coverage by area. */
export default function NewEmployment() {
  const [params, setParams] = useSearchParams();
  const platform = Number(params.get('platform')) || null;
  const station = Number(params.get('station')) || null;
  const openWith = (key: 'platform' | 'station') => (id: number | null) =>
    setParams((p) => {
      const next = new URLSearchParams(p);
      next.delete('platform');
      next.delete('station');
      if (id) next.set(key, String(id));
      return next;
    });
  const [version, setVersion] = useState(0);
  const changed = () => setVersion((v) => v + 1);
  return (
    <div>
      <PageTitle title="新业态新就业群体" />
      <Tabs
        defaultActiveKey={params.get('tab') ?? 'figures'}
        items={[
          { key: 'figures', label: '概况与覆盖', children: <FiguresTab version={version} /> },
          {
            key: 'platforms',
            label: '平台企业',
            children: <Platforms onOpen={openWith('platform')} version={version} onChanged={changed} />,
          },
          {
            key: 'stations',
            label: '配送站点',
            children: <Stations onOpen={openWith('station')} version={version} onChanged={changed} />,
          },
          { key: 'orgs', label: '行业党委与流动党员党支部', children: <Orgs /> },
          { key: 'cards', label: '流动党员活动证', children: <Cards /> },
        ]}
      />
      {platform && (
        <PlatformDrawer
          id={platform}
          onClose={() => openWith('platform')(null)}
          onChanged={changed}
          onStation={openWith('station')}
        />
      )}
      {station && <StationDrawer id={station} onClose={() => openWith('station')(null)} onChanged={changed} />}
    </div>
  );
}

function Platforms({
  onOpen,
  version,
  onChanged,
}: {
  onOpen: (id: number) => void;
  version: number;
  onChanged: () => void;
}) {
  const { me, can } = useAuth();
  const { f, set } = useFilters();
  const list = usePaged(listPlatforms, f);
  useReloadOn(version, list.reload);
  const [creating, setCreating] = useState(false);
  return (
    <Card size="small">
      <Space wrap style={{ marginBottom: 12 }}>
        <Input.Search placeholder="平台名称" allowClear onSearch={set('q')} style={{ width: 180 }} />
        <div style={{ width: 200 }}>
          <JurisdictionPicker root={me!.jurisdiction.code} value={f.under} onChange={set('under')} placeholder="辖区" />
        </div>
        <Select
          allowClear
          placeholder="业态"
          style={{ width: 120 }}
          onChange={set('business')}
          options={toOptions(BUSINESS_LABEL)}
        />
        <Button icon={<DownloadOutlined />} href={withQuery(`/api/v1${exportPlatforms.path}`, f)}>
          导出 Excel
        </Button>
        {can('data.write') && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)}>
            登记平台企业
          </Button>
        )}
      </Space>
      {list.error && <Alert type="error" title={list.error} style={{ marginBottom: 12 }} />}
      <Table<PlatformRow>
        rowKey="id"
        size="middle"
        loading={list.loading}
        dataSource={list.items}
        pagination={list.pagination}
        scroll={{ x: 1000 }}
        onRow={(p) => ({ onClick: () => onOpen(p.id), style: { cursor: 'pointer' } })}
        locale={{
          emptyText: can('data.write')
            ? '还没有平台企业。点击"登记平台企业"添加外卖、快递、网约车等平台，再登记其本地合作商和配送站点。'
            : '没有符合条件的平台企业。',
        }}
        columns={[
          { title: '平台企业', dataIndex: 'name', width: 180, fixed: 'left' },
          { title: '业态', dataIndex: 'businessLabel', width: 90 },
          { title: '登记单位', dataIndex: 'registeredBy', width: 120 },
          { title: '合作商', dataIndex: 'partners', width: 80, align: 'right' },
          { title: '运营站点', dataIndex: 'stations', width: 90, align: 'right' },
          { title: '骑手（最新）', dataIndex: 'riders', width: 100, align: 'right' },
          { title: '党员骑手', dataIndex: 'memberRiders', width: 90, align: 'right' },
          { title: '覆盖', key: 'cov', width: 160, render: (_, p) => <CoverageTags anyOrg={p.anyOrg} work={p.work} /> },
          { title: '状态', dataIndex: 'statusLabel', width: 80 },
        ]}
      />
      {creating && (
        <PlatformForm
          onClose={() => setCreating(false)}
          onSaved={(id) => {
            setCreating(false);
            onChanged();
            onOpen(id);
          }}
        />
      )}
    </Card>
  );
}

function PlatformForm({ onClose, onSaved }: { onClose: () => void; onSaved: (id: number) => void }) {
  const { me } = useAuth();
  const { message } = App.useApp();
  return (
    <FormModal<{
      name: string;
      business: PlatformRow['business'];
      jurisdictionCode?: string;
      entityId?: number;
      headquarters?: string;
      note?: string;
    }>
      title="登记平台企业"
      okText="保存"
      onClose={onClose}
      initialValues={{ jurisdictionCode: me!.jurisdiction.code }}
      onSubmit={async (v) => {
        const r = await call(createPlatform, {
          body: { ...v, headquarters: v.headquarters || undefined, note: v.note || undefined },
        });
        message.success(`已登记：${v.name}`);
        onSaved(r.id);
      }}
    >
      <Form.Item
        name="name"
        label="平台名称"
        rules={[{ required: true, min: 2, max: 60, message: '请填写 2–60 个字的名称' }]}
      >
        <Input maxLength={60} />
      </Form.Item>
      <Form.Item name="business" label="业态" rules={[{ required: true, message: '请选择业态' }]}>
        <Select options={toOptions(BUSINESS_LABEL)} />
      </Form.Item>
      <Form.Item name="jurisdictionCode" label="登记单位（本级或下级；上级登记的平台下级都能看到）">
        <JurisdictionPicker root={me!.jurisdiction.code} placeholder="默认本级" />
      </Form.Item>
      <Form.Item name="entityId" label="对应的市场主体（已在本辖区登记的，可不选）">
        <SearchSelect
          list={listEntities}
          placeholder="输入名称查找"
          toOption={(e) => ({ value: e.id, label: e.name })}
        />
      </Form.Item>
      <Form.Item name="headquarters" label="总部所在地">
        <Input maxLength={60} />
      </Form.Item>
      <Form.Item name="note" label="备注">
        <Input.TextArea maxLength={500} rows={2} />
      </Form.Item>
    </FormModal>
  );
}

function Stations({
  onOpen,
  version,
  onChanged,
}: {
  onOpen: (id: number) => void;
  version: number;
  onChanged: () => void;
}) {
  const { me, can } = useAuth();
  const { f, set } = useFilters({ status: 'open' });
  const list = usePaged(listStations, f);
  useReloadOn(version, list.reload);
  const [creating, setCreating] = useState(false);
  return (
    <Card size="small">
      <Space wrap style={{ marginBottom: 12 }}>
        <Input.Search placeholder="站点名称" allowClear onSearch={set('q')} style={{ width: 180 }} />
        <div style={{ width: 200 }}>
          <JurisdictionPicker root={me!.jurisdiction.code} value={f.under} onChange={set('under')} placeholder="辖区" />
        </div>
        <div style={{ width: 200 }}>
          <SearchSelect<PlatformRow>
            path={listPlatforms.path}
            placeholder="平台企业"
            toOption={(p) => ({ value: p.id, label: p.name })}
            onChange={(v) => set('platformId')(v ? String(v) : undefined)}
          />
        </div>
        <Select
          allowClear
          placeholder="状态"
          defaultValue="open"
          style={{ width: 100 }}
          onChange={set('status')}
          options={toOptions(STATION_STATUS_LABEL)}
        />
        <Select
          allowClear
          placeholder="覆盖情况"
          style={{ width: 140 }}
          onChange={set('coverage')}
          options={[
            { value: 'org', label: '有党组织' },
            { value: 'work', label: '已工作覆盖' },
            { value: 'none', label: '尚未覆盖' },
          ]}
        />
        <Button icon={<DownloadOutlined />} href={withQuery(`/api/v1${exportStations.path}`, f)}>
          导出 Excel
        </Button>
        {can('data.write') && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)}>
            登记配送站点
          </Button>
        )}
      </Space>
      {list.error && <Alert type="error" title={list.error} style={{ marginBottom: 12 }} />}
      <Table<StationRow>
        rowKey="id"
        size="middle"
        loading={list.loading}
        dataSource={list.items}
        pagination={list.pagination}
        scroll={{ x: 1100 }}
        onRow={(s) => ({ onClick: () => onOpen(s.id), style: { cursor: 'pointer' } })}
        locale={{ emptyText: '没有符合条件的配送站点。站点在"平台企业"登记后，点击"登记配送站点"添加。' }}
        columns={[
          { title: '配送站点', dataIndex: 'name', width: 180, fixed: 'left' },
          { title: '平台', dataIndex: 'platformName', width: 140 },
          { title: '合作商', dataIndex: 'partnerName', width: 150, render: (v) => v ?? '—' },
          {
            title: '县区 / 基层所',
            key: 'place',
            width: 200,
            render: (_, s) => `${s.countyName}${s.stationName ? ` / ${s.stationName}` : ''}`,
          },
          {
            title: '骑手（最新）',
            key: 'riders',
            width: 140,
            render: (_, s) =>
              s.riders === null ? <span style={{ color: '#bbb' }}>未统计</span> : `${s.riders}（${s.ridersAsOf}）`,
          },
          { title: '党员 / 积极分子', key: 'm', width: 120, render: (_, s) => `${s.memberRiders} / ${s.activists}` },
          { title: '覆盖', key: 'cov', width: 160, render: (_, s) => <CoverageTags anyOrg={s.anyOrg} work={s.work} /> },
          { title: '状态', dataIndex: 'statusLabel', width: 80 },
        ]}
      />
      {creating && (
        <StationForm
          onClose={() => setCreating(false)}
          onSaved={(id) => {
            setCreating(false);
            onChanged();
            onOpen(id);
          }}
        />
      )}
    </Card>
  );
}

function StationForm({ onClose, onSaved }: { onClose: () => void; onSaved: (id: number) => void }) {
  const { me } = useAuth();
  const { message } = App.useApp();
  return (
    <FormModal<{
      platformId: number;
      partnerId?: number;
      name: string;
      placeCode: string;
      address?: string;
      openedOn?: dayjs.Dayjs;
    }>
      title="登记配送站点"
      okText="保存"
      onClose={onClose}
      initialValues={{
        placeCode: ['county', 'station'].includes(me!.jurisdiction.level) ? me!.jurisdiction.code : undefined,
      }}
      onSubmit={async (v) => {
        const r = await call(createStation, {
          body: { ...v, address: v.address || undefined, openedOn: ymd(v.openedOn) },
        });
        message.success(`已登记：${v.name}`);
        onSaved(r.id);
      }}
    >
      <Form.Item name="platformId" label="平台企业" rules={[{ required: true, message: '请选择平台企业' }]}>
        <SearchSelect<PlatformRow>
          path={listPlatforms.path}
          placeholder="输入平台名称查找"
          toOption={(p) => ({ value: p.id, label: `${p.name} · ${p.businessLabel}` })}
        />
      </Form.Item>
      <Form.Item
        name="name"
        label="站点名称"
        rules={[{ required: true, min: 2, max: 60, message: '请填写 2–60 个字的名称' }]}
      >
        <Input maxLength={60} />
      </Form.Item>
      <Form.Item
        name="placeCode"
        label="所在县（区）或基层所"
        rules={[{ required: true, message: '请选择所在县（区）或基层所' }]}
      >
        <JurisdictionPicker
          root={me!.jurisdiction.code}
          accept={['city', 'county', 'station']}
          placeholder="选择县（区）或基层所"
        />
      </Form.Item>
      <Form.Item name="address" label="地址">
        <Input maxLength={120} />
      </Form.Item>
      <Form.Item name="openedOn" label="开设日期">
        <DatePicker disabledDate={isFuture} />
      </Form.Item>
    </FormModal>
  );
}

function Orgs() {
  const { me, can } = useAuth();
  const { message } = App.useApp();
  const { f, set } = useFilters();
  const list = usePaged(listRiderOrgs, f);
  const [creating, setCreating] = useState<'committee' | 'mobile' | null>(null);
  const saved = (text: string) => {
    setCreating(null);
    message.success(text);
    void list.reload();
  };
  return (
    <Card size="small">
      <Space wrap style={{ marginBottom: 12 }}>
        <Input.Search placeholder="名称" allowClear onSearch={set('q')} style={{ width: 180 }} />
        <div style={{ width: 200 }}>
          <JurisdictionPicker root={me!.jurisdiction.code} value={f.under} onChange={set('under')} placeholder="辖区" />
        </div>
        <Select
          allowClear
          placeholder="类型"
          style={{ width: 180 }}
          onChange={set('type')}
          options={toOptions(RIDER_ORG_TYPE_LABEL)}
        />
        <Select
          allowClear
          placeholder="状态"
          style={{ width: 100 }}
          onChange={set('status')}
          options={toOptions(ORG_STATUS_LABEL)}
        />
        <Button icon={<DownloadOutlined />} href={withQuery(`/api/v1${exportRiderOrgs.path}`, f)}>
          导出 Excel
        </Button>
        {can('data.write') && (
          <Button icon={<PlusOutlined />} onClick={() => setCreating('committee')}>
            成立行业党委
          </Button>
        )}
        {can('data.write') && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating('mobile')}>
            成立流动党员党支部
          </Button>
        )}
      </Space>
      {list.error && <Alert type="error" title={list.error} style={{ marginBottom: 12 }} />}
      <Table<RiderOrgRow>
        rowKey="id"
        size="middle"
        loading={list.loading}
        dataSource={list.items}
        pagination={list.pagination}
        scroll={{ x: 1100 }}
        locale={{
          emptyText:
            '还没有网约配送员行业党委或流动党员党支部。流动党员党支部须经县级以上党委批准，请先成立或选择批准的行业党委。',
        }}
        columns={[
          {
            title: '名称',
            dataIndex: 'name',
            width: 220,
            fixed: 'left',
            render: (n: string, o) => <Link to={`/orgs?open=${o.id}`}>{n}</Link>,
          },
          { title: '类型', dataIndex: 'typeLabel', width: 150 },
          { title: '层级 · 辖区', key: 'lv', width: 160, render: (_, o) => `${o.levelLabel} · ${o.placeName}` },
          { title: '状态', dataIndex: 'statusLabel', width: 70 },
          {
            title: '批准',
            key: 'ap',
            width: 220,
            render: (_, o) => (o.approverName ? `${o.approverName}（${o.approvedOn}）` : '—'),
          },
          { title: '党员', dataIndex: 'memberCount', width: 70, align: 'right' },
          { title: '联系平台/站点', dataIndex: 'units', width: 110, align: 'right' },
          {
            title: '活动证将到期',
            dataIndex: 'cardsExpiring',
            width: 110,
            align: 'right',
            render: (n: number) => (n ? <Tag color="orange">{n}</Tag> : 0),
          },
        ]}
      />
      {creating === 'committee' && (
        <FormModal<{ name: string; jurisdictionCode: string; foundedOn: dayjs.Dayjs }>
          title="成立网约配送员行业党委"
          okText="保存"
          onClose={() => setCreating(null)}
          initialValues={{ jurisdictionCode: me!.jurisdiction.code, foundedOn: dayjs() }}
          onSubmit={async (v) => {
            await call(createCommittee, { body: { ...v, foundedOn: ymd(v.foundedOn) } });
            saved(`已成立：${v.name}`);
          }}
        >
          <Form.Item name="name" label="名称" rules={[{ required: true, min: 2, message: '请填写名称' }]}>
            <Input maxLength={60} placeholder="如：某某市网约配送员行业党委" />
          </Form.Item>
          <Form.Item name="jurisdictionCode" label="设在（省、市、县三级）">
            <JurisdictionPicker root={me!.jurisdiction.code} accept={['province', 'city', 'county']} />
          </Form.Item>
          <Form.Item name="foundedOn" label="成立日期" rules={[{ required: true, message: '请选择成立日期' }]}>
            <DatePicker disabledDate={isFuture} />
          </Form.Item>
        </FormModal>
      )}
      {creating === 'mobile' && (
        <MobileBranchForm onClose={() => setCreating(null)} onSaved={(name) => saved(`已成立：${name}`)} />
      )}
    </Card>
  );
}

function MobileBranchForm({ onClose, onSaved }: { onClose: () => void; onSaved: (name: string) => void }) {
  const { me } = useAuth();
  const [approvers, setApprovers] = useState<ResponseOf<typeof listApprovers>['items']>([]);
  useEffect(
    () =>
      void call(listApprovers).then(
        (r) => setApprovers(r.items),
        () => undefined,
      ),
    [],
  );
  return (
    <FormModal<{
      name: string;
      placeCode: string;
      approvedByOrgId: number;
      approvedOn: dayjs.Dayjs;
      foundedOn: dayjs.Dayjs;
      deliveryStationIds?: number[];
    }>
      title="成立流动党员党支部"
      okText="保存"
      onClose={onClose}
      initialValues={{
        placeCode: ['county', 'station'].includes(me!.jurisdiction.level) ? me!.jurisdiction.code : undefined,
        foundedOn: dayjs(),
      }}
      onSubmit={async (v) => {
        await call(createMobileBranch, {
          body: {
            ...v,
            approvedOn: ymd(v.approvedOn)!,
            foundedOn: ymd(v.foundedOn),
            deliveryStationIds: v.deliveryStationIds ?? [],
          },
        });
        onSaved(v.name);
      }}
    >
      {approvers.length === 0 && (
        <Alert
          type="warning"
          showIcon
          title="本辖区及上级还没有已建立的县级以上网约配送员行业党委，流动党员党支部须经其批准。"
          style={{ marginBottom: 12 }}
        />
      )}
      <Form.Item name="name" label="名称" rules={[{ required: true, min: 2, message: '请填写名称' }]}>
        <Input maxLength={60} placeholder="如：某平台骑手流动党员党支部" />
      </Form.Item>
      <Form.Item
        name="placeCode"
        label="所在县（区）或基层所"
        rules={[{ required: true, message: '请选择所在县（区）或基层所' }]}
      >
        <JurisdictionPicker root={me!.jurisdiction.code} accept={['city', 'county', 'station']} />
      </Form.Item>
      <Space wrap align="start">
        <Form.Item
          name="approvedByOrgId"
          label="批准的党委（县级以上）"
          rules={[{ required: true, message: '请选择批准的党委' }]}
        >
          <Select
            style={{ width: 280 }}
            options={approvers.map((a) => ({ value: a.id, label: `${a.name}（${a.levelLabel}）` }))}
          />
        </Form.Item>
        <Form.Item name="approvedOn" label="批准日期" rules={[{ required: true, message: '请选择批准日期' }]}>
          <DatePicker disabledDate={isFuture} />
        </Form.Item>
        <Form.Item name="foundedOn" label="成立日期" rules={[{ required: true, message: '请选择成立日期' }]}>
          <DatePicker disabledDate={isFuture} />
        </Form.Item>
      </Space>
      <Form.Item name="deliveryStationIds" label="服务的配送站点（计入本行业组织覆盖）">
        <SearchSelect<StationRow>
          mode="multiple"
          path={listStations.path}
          query={{ status: 'open' }}
          placeholder="输入站点名称查找"
          toOption={(s) => ({ value: s.id, label: `${s.name} · ${s.platformName}` })}
        />
      </Form.Item>
    </FormModal>
  );
}

/** A card's state as a tag colour (the label is the domain's). */
const CARD_COLOUR: Record<CardRow['state'], string | undefined> = {
  expiring: 'orange',
  expired: 'red',
  valid: 'green',
  returned: undefined,
};

function Cards() {
  const { me, can } = useAuth();
  const { message } = App.useApp();
  const { f, set } = useFilters({ state: 'expiring' });
  const list = usePaged(listCards, f);
  const [creating, setCreating] = useState(false);
  const [renewing, setRenewing] = useState<CardRow | null>(null);
  const act = (c: CardRow, body: BodyOf<typeof updateCard>, text: string) =>
    call(updateCard, { params: { id: c.id }, body }).then(() => {
      message.success(text);
      setRenewing(null);
      void list.reload();
    });
  return (
    <Card size="small">
      <Space wrap style={{ marginBottom: 12 }}>
        <Input.Search placeholder="党员姓名" allowClear onSearch={set('q')} style={{ width: 160 }} />
        <div style={{ width: 200 }}>
          <JurisdictionPicker root={me!.jurisdiction.code} value={f.under} onChange={set('under')} placeholder="辖区" />
        </div>
        <Select
          allowClear
          placeholder="状态"
          defaultValue="expiring"
          style={{ width: 130 }}
          onChange={set('state')}
          options={toOptions(CARD_STATE_LABEL)}
        />
        <Button icon={<DownloadOutlined />} href={withQuery(`/api/v1${exportCards.path}`, f)}>
          导出 Excel
        </Button>
        {can('data.write') && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)}>
            登记活动证
          </Button>
        )}
      </Space>
      {list.error && <Alert type="error" title={list.error} style={{ marginBottom: 12 }} />}
      <Table<CardRow>
        rowKey="id"
        size="middle"
        loading={list.loading}
        dataSource={list.items}
        pagination={list.pagination}
        scroll={{ x: 1000 }}
        locale={{
          emptyText: f.state === 'expiring' ? '近 30 天内没有到期的流动党员活动证。' : '没有符合条件的流动党员活动证。',
        }}
        columns={[
          { title: '党员', dataIndex: 'memberName', width: 100 },
          { title: '流动党员党支部', dataIndex: 'orgName', width: 220 },
          { title: '编号', dataIndex: 'cardNo', width: 120 },
          { title: '发证党组织', dataIndex: 'issuedBy', width: 200 },
          { title: '发证 — 有效期至', key: 'p', width: 200, render: (_, c) => `${c.issuedOn} — ${c.expiresOn}` },
          {
            title: '状态',
            dataIndex: 'stateLabel',
            width: 100,
            render: (v: string, c) => <Tag color={CARD_COLOUR[c.state]}>{v}</Tag>,
          },
          ...(can('data.write')
            ? [
                {
                  title: '操作',
                  key: 'a',
                  width: 140,
                  render: (_: unknown, c: CardRow) =>
                    !c.returnedOn && (
                      <Space>
                        <a onClick={() => setRenewing(c)}>续期</a>
                        <a
                          onClick={() =>
                            void act(c, { returnedOn: dayjs().format('YYYY-MM-DD') }, '已登记交回').catch((e) =>
                              message.error(applyProblem(null, e)),
                            )
                          }
                        >
                          交回
                        </a>
                      </Space>
                    ),
                },
              ]
            : []),
        ]}
      />
      {creating && (
        <FormModal<{
          memberId: number;
          orgId: number;
          cardNo: string;
          issuedBy: string;
          issuedOn: dayjs.Dayjs;
          expiresOn: dayjs.Dayjs;
        }>
          title="登记流动党员活动证"
          okText="保存"
          onClose={() => setCreating(false)}
          onSubmit={async (v) => {
            await call(createCard, { body: { ...v, issuedOn: ymd(v.issuedOn)!, expiresOn: ymd(v.expiresOn)! } });
            message.success('已登记');
            setCreating(false);
            void list.reload();
          }}
        >
          <Form.Item name="memberId" label="党员（名册中）" rules={[{ required: true, message: '请选择党员' }]}>
            <SearchSelect
              list={listMembers}
              placeholder="输入姓名查找"
              toOption={(m) => ({ value: m.id, label: m.name })}
            />
          </Form.Item>
          <Form.Item
            name="orgId"
            label="参加组织生活的流动党员党支部"
            rules={[{ required: true, message: '请选择流动党员党支部' }]}
          >
            <SearchSelect<RiderOrgRow>
              path={listRiderOrgs.path}
              query={{ type: 'mobile' }}
              placeholder="输入名称查找"
              toOption={(o) => ({ value: o.id, label: o.name })}
            />
          </Form.Item>
          <Space wrap align="start">
            <Form.Item name="cardNo" label="活动证编号" rules={[{ required: true, message: '请填写编号' }]}>
              <Input maxLength={40} />
            </Form.Item>
            <Form.Item
              name="issuedBy"
              label="发证党组织（流出地）"
              rules={[{ required: true, min: 2, message: '请填写发证党组织' }]}
            >
              <Input maxLength={60} style={{ width: 260 }} />
            </Form.Item>
          </Space>
          <Space wrap align="start">
            <Form.Item name="issuedOn" label="发证日期" rules={[{ required: true, message: '请选择发证日期' }]}>
              <DatePicker disabledDate={isFuture} />
            </Form.Item>
            <Form.Item name="expiresOn" label="有效期至" rules={[{ required: true, message: '请选择有效期' }]}>
              <DatePicker />
            </Form.Item>
          </Space>
        </FormModal>
      )}
      {renewing && (
        <FormModal<{ expiresOn: dayjs.Dayjs }>
          title={`活动证续期：${renewing.memberName}`}
          okText="续期"
          onClose={() => setRenewing(null)}
          initialValues={{ expiresOn: dayjs(renewing.expiresOn).add(1, 'year') }}
          onSubmit={(v) => act(renewing, { expiresOn: ymd(v.expiresOn) }, '已续期')}
        >
          <Form.Item name="expiresOn" label="新的有效期至" rules={[{ required: true, message: '请选择日期' }]}>
            <DatePicker />
          </Form.Item>
        </FormModal>
      )}
    </Card>
  );
}

/** Figures of the area; `version` reloads them after a change made on another tab. */
function FiguresTab({ version }: { version: number }) {
  const { me } = useAuth();
  const [under, setUnder] = useState<string | undefined>();
  const [data, setData] = useState<NewEmploymentFigures | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(
    () => void call(newEmploymentFigures, { query: { under } }).then(setData, (e) => setError(applyProblem(null, e))),
    [under, version],
  );
  const series = useMemo(
    () => ({
      grid: { left: 8, right: 24, top: 24, bottom: 8, containLabel: true },
      tooltip: { trigger: 'axis' },
      xAxis: { type: 'category', data: data?.riderSeries.map((p) => p.date.slice(0, 7)) ?? [] },
      yAxis: { type: 'value', minInterval: 1 },
      series: [{ name: '骑手数', type: 'line', smooth: true, data: data?.riderSeries.map((p) => p.riders) ?? [] }],
    }),
    [data],
  );
  const rate = (r: number | null) => (r === null ? 0 : Math.round(r * 1000) / 10);
  if (error) return <Alert type="error" showIcon title={error} />;
  if (!data) return null;
  const t = data.total;
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Card
        size="small"
        title={`${data.node.name}：新业态新就业群体概况`}
        extra={
          <div style={{ width: 220 }}>
            <JurisdictionPicker
              root={me!.jurisdiction.code}
              value={under}
              onChange={setUnder}
              placeholder="选择辖区（默认本辖区）"
            />
          </div>
        }
      >
        <Row gutter={[16, 16]}>
          {(
            [
              ['平台企业', t.platforms],
              ['合作商', t.partners],
              ['运营配送站点', t.stations],
              ['骑手（最新统计）', t.riders],
              ['党员骑手', t.memberRiders],
              ['入党积极分子', t.activists],
              ['行业党委', t.committees],
              ['流动党员党支部', t.mobileBranches],
              ['有效活动证', t.cardsValid],
              ['30 天内到期', t.cardsExpiring],
            ] as const
          ).map(([title, v]) => (
            <Col key={title} xs={12} sm={8} md={6} lg={4}>
              <Statistic title={title} value={v} />
            </Col>
          ))}
          <Col xs={12} sm={8} md={6} lg={4}>
            <Statistic title="站点组织覆盖率" value={pct(t.stationCoverage.orgCoverage)} />
          </Col>
          <Col xs={12} sm={8} md={6} lg={4}>
            <Statistic title="站点工作覆盖率" value={pct(t.stationCoverage.workCoverage)} />
          </Col>
        </Row>
      </Card>
      <Card size="small" title="近 12 个月骑手数（各站点最近一次统计）">
        {data.riderSeries.some((p) => p.riders > 0) ? (
          <EChart option={series} height={220} />
        ) : (
          <Alert type="info" title="还没有骑手数统计。在配送站点中登记骑手数后，这里显示变化。" />
        )}
      </Card>
      <Card size="small" title="按辖区：平台与站点的两个覆盖（组织覆盖 = 有党组织；工作覆盖 = 有党组织或有党建工作）">
        {data.children.some((c) => c.stationCoverage.operating > 0) && (
          <AreaBars
            names={data.children.map((c) => c.name)}
            percent
            onClick={(i) => setUnder(data.children[i].code)}
            series={[
              {
                name: '站点组织覆盖率',
                color: '#c0392b',
                values: data.children.map((c) => rate(c.stationCoverage.orgCoverage)),
              },
              {
                name: '站点工作覆盖率',
                color: '#e67e22',
                values: data.children.map((c) => rate(c.stationCoverage.workCoverage)),
              },
            ]}
          />
        )}
        <ChildrenTable
          rows={data.children}
          onDrill={setUnder}
          nameWidth={120}
          scrollX={900}
          columns={[
            { title: '平台', dataIndex: 'platforms', align: 'right' },
            { title: '运营站点', dataIndex: 'stations', align: 'right' },
            { title: '骑手', dataIndex: 'riders', align: 'right' },
            { title: '党员骑手', dataIndex: 'memberRiders', align: 'right' },
            { title: '流动党员党支部', dataIndex: 'mobileBranches', align: 'right' },
            {
              title: '平台组织/工作覆盖',
              key: 'p',
              render: (_, c) => `${pct(c.platformCoverage.orgCoverage)} / ${pct(c.platformCoverage.workCoverage)}`,
            },
            {
              title: '站点组织/工作覆盖',
              key: 's',
              render: (_, c) => `${pct(c.stationCoverage.orgCoverage)} / ${pct(c.stationCoverage.workCoverage)}`,
            },
          ]}
        />
      </Card>
      <Card size="small" title="按平台：本辖区运营站点的覆盖">
        <Table
          rowKey="id"
          size="small"
          pagination={false}
          dataSource={data.byPlatform}
          locale={{ emptyText: '本辖区还没有运营中的配送站点。' }}
          columns={[
            { title: '平台', dataIndex: 'name' },
            { title: '运营站点', dataIndex: 'operating', align: 'right' },
            { title: '有党组织', dataIndex: 'anyOrg', align: 'right' },
            { title: '已工作覆盖', dataIndex: 'work', align: 'right' },
            { title: '组织覆盖率', dataIndex: 'orgCoverage', align: 'right', render: pct },
            { title: '工作覆盖率', dataIndex: 'workCoverage', align: 'right', render: pct },
          ]}
        />
      </Card>
    </Space>
  );
}
