import { useState } from 'react';
import { Alert, Button, Card, Input, Select, Space, Table, Tag } from 'antd';
import { DownloadOutlined } from '@ant-design/icons';
import { withQuery } from '../api';
import { PageTitle } from '../Layout';
import { usePaged } from '../components/usePaged';

type Member = { id: number; name: string; birthDate: string | null; idNumber: string | null; phone: string | null; membership: string | null; joinDate: string | null; orgRelation: string | null; status: string; confidence: string; sources: string[]; entities: string[] };
const STATUS: Record<string, string> = { normal: '正常', mobile: '流动', lost: '失联', abroad: '出国境', other: '其他' };
const CONFIDENCE: Record<string, [string, string]> = { confirmed: ['已确认', 'green'], declared: ['申报', 'blue'], self_reported: ['本人报告', 'orange'] };
const SOURCE: Record<string, string> = { roster: '名册', declared: '申报', staff: '核实', self_report: '本人报告' };

export default function Members() {
  const [f, setF] = useState<Record<string, string | undefined>>({});
  const set = (k: string) => (v: string | undefined) => setF((x) => ({ ...x, [k]: v || undefined }));
  const list = usePaged<Member>('/members', f);
  return (
    <div>
      <PageTitle title="党员名册" extra={<Button icon={<DownloadOutlined />} href={withQuery('/api/v1/members/export', f)}>导出 Excel</Button>} />
      <Card size="small">
        <Space wrap style={{ marginBottom: 12 }}>
          <Input.Search placeholder="姓名" allowClear onSearch={set('q')} style={{ width: 160 }} />
          <Select allowClear placeholder="党员状态" style={{ width: 120 }} onChange={set('status')} options={Object.entries(STATUS).map(([value, label]) => ({ value, label }))} />
          <Select allowClear placeholder="可信度" style={{ width: 120 }} onChange={set('confidence')} options={Object.entries(CONFIDENCE).map(([value, [label]]) => ({ value, label }))} />
          <Select allowClear placeholder="在市场主体中找到" style={{ width: 160 }} onChange={set('linked')} options={[{ value: 'true', label: '已找到' }, { value: 'false', label: '未找到' }]} />
        </Space>
        {list.error && <Alert type="error" title={list.error} />}
        <Table<Member> rowKey="id" loading={list.loading} dataSource={list.items} pagination={list.pagination} scroll={{ x: 1100 }} locale={{ emptyText: '尚无党员名册。可在"数据导入"中导入组织部门共享的名册。' }}
          columns={[
            { title: '姓名', dataIndex: 'name', width: 90 },
            { title: '身份证号', dataIndex: 'idNumber', width: 180, render: (v) => v ?? <span style={{ color: '#bbb' }}>无可用号码</span> },
            { title: '类别', dataIndex: 'membership', width: 90, render: (v) => (v === 'full' ? '正式党员' : v === 'probationary' ? '预备党员' : '—') },
            { title: '组织关系所在党组织', dataIndex: 'orgRelation' },
            { title: '状态', dataIndex: 'status', width: 70, render: (v: string) => STATUS[v] },
            { title: '可信度', dataIndex: 'confidence', width: 90, render: (v: string) => <Tag color={CONFIDENCE[v][1]}>{CONFIDENCE[v][0]}</Tag> },
            { title: '来源', dataIndex: 'sources', width: 120, render: (v: string[]) => v.map((s) => SOURCE[s] ?? s).join('、') },
            { title: '所在市场主体', dataIndex: 'entities', render: (v: string[]) => (v.length ? v.join('、') : <span style={{ color: '#bbb' }}>未找到</span>) },
          ]} />
      </Card>
    </div>
  );
}
