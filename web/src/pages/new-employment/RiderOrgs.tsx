import { useEffect, useState } from 'react';
import { Alert, App, Button, Card, DatePicker, Form, Input, Select, Space, Tag } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import { Link } from 'react-router-dom';
import dayjs from 'dayjs';
import { call, withQuery } from '../../api';
import {
  createCommittee,
  createMobileBranch,
  exportRiderOrgs,
  listApprovers,
  listRiderOrgs,
  listStations,
  type RiderOrgRow,
  type StationRow,
} from '@server/features/platforms/contract';
import type { ResponseOf } from '@server/http/contract';
import { useAuth } from '../../auth';
import { usePaged } from '../../components/usePaged';
import { JurisdictionPicker } from '../../components/JurisdictionPicker';
import { FormModal } from '../../components/FormModal';
import { SearchSelect } from '../../components/SearchSelect';
import { isFuture, toOptions, ymd, today } from '../../components/format';
import { ORG_STATUS_LABEL, RIDER_ORG_TYPE_LABEL } from '../../components/labels';
import { useFilters } from '../../components/hooks';
import { ListTable } from '../../components/ListOrCards';
import { DownloadButton } from '../../components/DownloadButton';

export function RiderOrgs() {
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
        <DownloadButton href={withQuery(`/api/v1${exportRiderOrgs.path}`, f)}>导出 Excel</DownloadButton>
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
      <ListTable<RiderOrgRow>
        error={list.error}
        onRetry={list.reload}
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
          initialValues={{ jurisdictionCode: me!.jurisdiction.code, foundedOn: today() }}
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
        foundedOn: today(),
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
