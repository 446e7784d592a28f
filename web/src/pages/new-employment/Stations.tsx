import { useState } from 'react';
import { App, Button, Card, DatePicker, Form, Input, Select, Space } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import dayjs from 'dayjs';
import { call, withQuery } from '../../api';
import {
  createStation,
  exportStations,
  listPlatforms,
  listStations,
  type PlatformRow,
  type StationRow,
} from '@server/features/platforms/contract';
import { useAuth } from '../../auth';
import { usePaged } from '../../components/usePaged';
import { JurisdictionPicker } from '../../components/JurisdictionPicker';
import { FormModal } from '../../components/FormModal';
import { SearchSelect } from '../../components/SearchSelect';
import { isFuture, toOptions, ymd } from '../../components/format';
import { STATION_STATUS_LABEL } from '../../components/labels';
import { useFilters, useReloadOn } from '../../components/hooks';
import { CoverageTags } from '../NewEmploymentDrawers';
import { ListTable } from '../../components/ListOrCards';
import { DownloadButton } from '../../components/DownloadButton';

export function Stations({
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
        <DownloadButton href={withQuery(`/api/v1${exportStations.path}`, f)}>导出 Excel</DownloadButton>
        {can('data.write') && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)}>
            登记配送站点
          </Button>
        )}
      </Space>
      <ListTable<StationRow>
        error={list.error}
        onRetry={list.reload}
        rowKey="id"
        size="middle"
        loading={list.loading}
        dataSource={list.items}
        pagination={list.pagination}
        scroll={{ x: 1100 }}
        onRow={(s) => ({ onClick: () => onOpen(s.id), style: { cursor: 'pointer' } })}
        locale={{ emptyText: '没有符合条件的配送站点。站点在"平台企业"登记后，点击"登记配送站点"添加。' }}
        columns={[
          // Narrow enough to fit a 1440 px desktop beside the menu: 状态 stood cut at the table's right edge.
          { title: '配送站点', dataIndex: 'name', width: 150, fixed: 'left' },
          { title: '平台', dataIndex: 'platformName', width: 140 },
          { title: '合作商', dataIndex: 'partnerName', width: 140, render: (v) => v ?? '—' },
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
