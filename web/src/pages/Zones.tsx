import { useState } from 'react';
import { Alert, Card, Input, Segmented, Space, Table } from 'antd';
import { useNavigate } from 'react-router-dom';
import { PageTitle } from '../Layout';
import { usePaged } from '../components/usePaged';
import { ZONE_KIND_LABEL } from '../components/labels';
import { listZones, type ZoneRow } from '@server/features/zones/contract';

const KIND: Record<string, string> = ZONE_KIND_LABEL;

export default function Zones() {
  const nav = useNavigate();
  const [kind, setKind] = useState('');
  const [q, setQ] = useState('');
  const list = usePaged<ZoneRow>(listZones.path, { kind: kind || undefined, q });
  return (
    <div>
      <PageTitle title="专业市场 · 园区 · 楼宇 · 商圈" />
      <Card size="small">
        <Space wrap style={{ marginBottom: 12 }}>
          <Segmented
            value={kind}
            onChange={(v) => setKind(String(v))}
            options={[
              { label: '全部', value: '' },
              ...Object.entries(KIND).map(([value, label]) => ({ value, label })),
            ]}
          />
          <Input.Search placeholder="区域名称" allowClear onSearch={setQ} style={{ width: 200 }} />
        </Space>
        {list.error && <Alert type="error" title={list.error} />}
        <Table<ZoneRow>
          rowKey="id"
          loading={list.loading}
          dataSource={list.items}
          pagination={list.pagination}
          locale={{ emptyText: '暂无区域。导入登记信息时填写"所在区域名称"即自动建立。' }}
          onRow={(z) => ({ onClick: () => void nav(`/entities?zoneId=${z.id}`), style: { cursor: 'pointer' } })}
          columns={[
            { title: '名称', dataIndex: 'name' },
            { title: '类型', dataIndex: 'kind', width: 100, render: (k: string) => KIND[k] },
            { title: '县区', dataIndex: 'countyName', width: 120 },
            { title: '市场主体数', dataIndex: 'entities', width: 110, align: 'right' },
          ]}
        />
      </Card>
    </div>
  );
}
