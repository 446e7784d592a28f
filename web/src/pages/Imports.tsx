import { useCallback, useEffect, useState } from 'react';
import { Alert, App, Button, Card, Popconfirm, Progress, Segmented, Space, Table, Tag, Typography, Upload } from 'antd';
import { DownloadOutlined, InboxOutlined } from '@ant-design/icons';
import { ApiError, csrf, post } from '../api';
import { PageTitle } from '../Layout';
import { usePaged } from '../components/usePaged';
import { applyProblem } from '../components/problem';

type Job = {
  id: number; kind: string; kindLabel: string; fileName: string; fileBytes: number; status: string; rowsRead: number; rowsAccepted: number; rowsRejected: number; rowsChanged: number;
  percent: number; rowsPerSecond: number | null; etaSeconds: number | null; error: string | null; createdAt: string; finishedAt: string | null;
};
const STATUS: Record<string, [string, 'normal' | 'active' | 'success' | 'exception']> = { queued: ['排队中', 'normal'], running: ['导入中', 'active'], done: ['已完成', 'success'], failed: ['失败', 'exception'], cancelled: ['已取消', 'exception'] };
const KINDS = [{ label: '登记信息（主体及人员）', value: 'registry' }, { label: '年报（含党建信息）', value: 'annual_report' }, { label: '党员名册', value: 'roster' }];

export default function Imports() {
  const { message } = App.useApp();
  const [kind, setKind] = useState('registry');
  const [uploading, setUploading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const list = usePaged<Job>('/imports', {}, 10);
  const busy = list.items.some((j) => j.status === 'running' || j.status === 'queued');
  const { reload } = list;
  useEffect(() => {
    if (!busy) return;
    const t = setInterval(() => void reload(), 1000);
    return () => clearInterval(t);
  }, [busy, reload]);

  const upload = useCallback(async (file: File) => {
    setUploading(true);
    setError(null);
    try {
      const fd = new FormData();
      fd.append('file', file);
      const res = await fetch(`/api/v1/imports/${kind}`, { method: 'POST', body: fd, headers: { 'x-csrf-token': csrf() } });
      const data = await res.json();
      if (!res.ok) throw new ApiError(res.status, data.title, data.detail, data.errors ?? []);
      message.success(`已开始导入 ${file.name}`);
      void reload();
    } catch (e) {
      setError(applyProblem(null, e));
    } finally {
      setUploading(false);
    }
  }, [kind, message, reload]);

  return (
    <div>
      <PageTitle title="数据导入" />
      <Card size="small" style={{ marginBottom: 16 }}>
        <Space orientation="vertical" style={{ width: '100%' }}>
          <Space wrap>
            <Segmented value={kind} onChange={(v) => setKind(String(v))} options={KINDS} />
            <Button icon={<DownloadOutlined />} href={`/api/v1/imports/templates/${kind}`}>下载模板</Button>
          </Space>
          <Typography.Text type="secondary">支持 .xlsx 和 .csv（UTF-8 或 GBK 编码）。列名可用模板中的名称或常见别名；同一主体（同一年度）重复出现时保留第一行；同一文件可重复导入，不会重复写入。</Typography.Text>
          {error && <Alert type="error" showIcon title={error} closable />}
          <Upload.Dragger accept=".xlsx,.csv" showUploadList={false} disabled={uploading} customRequest={({ file }) => void upload(file as File)} data-testid="import-upload">
            <p className="ant-upload-drag-icon"><InboxOutlined /></p>
            <p className="ant-upload-text">点击或拖拽文件到这里开始导入</p>
            <p className="ant-upload-hint">{KINDS.find((k) => k.value === kind)?.label}</p>
          </Upload.Dragger>
        </Space>
      </Card>
      <Card size="small" title="导入任务">
        <Table<Job> rowKey="id" dataSource={list.items} pagination={list.pagination} loading={list.loading && !busy} scroll={{ x: 900 }} locale={{ emptyText: '还没有导入任务' }}
          columns={[
            { title: '文件', dataIndex: 'fileName', render: (n: string, j) => <div><div>{n}</div><Typography.Text type="secondary" style={{ fontSize: 12 }}>{j.kindLabel} · {new Date(j.createdAt).toLocaleString('zh-CN')}</Typography.Text></div> },
            {
              title: '进度',
              key: 'p',
              width: 280,
              render: (_, j) => (
                <div data-testid={`job-${j.id}`}>
                  <Progress percent={j.percent} status={STATUS[j.status][1]} size="small" />
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {STATUS[j.status][0]}
                    {j.rowsPerSecond ? ` · ${j.rowsPerSecond} 行/秒` : ''}
                    {j.etaSeconds !== null ? ` · 约 ${j.etaSeconds} 秒后完成` : ''}
                  </Typography.Text>
                  {j.error && <div><Typography.Text type="danger" style={{ fontSize: 12 }}>{j.error}</Typography.Text></div>}
                </div>
              ),
            },
            { title: '读取', dataIndex: 'rowsRead', width: 80, align: 'right' },
            { title: '接受', dataIndex: 'rowsAccepted', width: 80, align: 'right' },
            { title: '拒绝', dataIndex: 'rowsRejected', width: 80, align: 'right', render: (n: number) => (n ? <Tag color="red">{n}</Tag> : 0) },
            { title: '变更', dataIndex: 'rowsChanged', width: 80, align: 'right' },
            {
              title: '操作',
              key: 'op',
              width: 170,
              render: (_, j) => (
                <Space size="small" wrap>
                  {j.rowsRejected > 0 && <a href={`/api/v1/imports/${j.id}/errors`}>错误报告</a>}
                  {(j.status === 'running' || j.status === 'queued') && (
                    <Popconfirm title="取消这次导入？已导入的批次会保留。" onConfirm={() => post(`/imports/${j.id}/cancel`).then(reload, (e) => message.error(applyProblem(null, e)))}><a>取消</a></Popconfirm>
                  )}
                  {(j.status === 'failed' || j.status === 'cancelled') && <a onClick={() => post(`/imports/${j.id}/rerun`).then(reload, (e) => message.error(applyProblem(null, e)))}>重新导入</a>}
                </Space>
              ),
            },
          ]} />
      </Card>
    </div>
  );
}
