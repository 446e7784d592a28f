import { useCallback } from 'react';
import { Alert, Button, Space, Typography } from 'antd';
import { ArrowLeftOutlined, PrinterOutlined } from '@ant-design/icons';
import { Link, useParams } from 'react-router-dom';
import { call } from '../api';
import { Loaded, useLoad } from '../components/Loading';
import { getPlaque, type PlaqueInfo } from '@server/features/sanliang/contract';
import { publiclyReachable } from '@domain/sanliang/plaque';

/**
 * The plaque as printed: one A5 page (the browser prints exactly the sheet; the app's menu,
 * header and footer are hidden in print). The QR code opens the public verification page.
 */
const PRINT_CSS = `
@page { size: A5 portrait; margin: 0; }
@media print {
  .ant-layout-sider, .ant-layout-header, .ant-layout-footer, .no-print { display: none !important; }
  .ant-layout-content { padding: 0 !important; }
  body { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  .plaque-sheet { box-shadow: none !important; margin: 0 !important; }
}
.plaque-sheet { width: 148mm; height: 210mm; box-sizing: border-box; margin: 0 auto; background: #fff; box-shadow: 0 2px 12px rgba(0,0,0,.15);
  border: 6mm solid #c62828; padding: 8mm 10mm; display: flex; flex-direction: column; font-family: "Noto Serif CJK SC", "Noto Sans CJK SC", serif; color: #222; overflow: hidden; }
.plaque-sheet h1 { color: #c62828; font-size: 34pt; text-align: center; letter-spacing: 4pt; margin: 2mm 0 4mm; font-weight: 700; }
.plaque-sheet .star { color: #c62828; text-align: center; font-size: 20pt; line-height: 1; }
.plaque-sheet .who { text-align: center; font-size: 16pt; margin-bottom: 4mm; }
.plaque-sheet .who b { font-size: 20pt; }
.plaque-sheet h2 { font-size: 12pt; color: #c62828; margin: 2mm 0 1mm; }
.plaque-sheet p { font-size: 10.5pt; line-height: 1.6; margin: 0 0 2mm; }
.plaque-sheet .foot { margin-top: auto; display: flex; align-items: flex-end; justify-content: space-between; gap: 4mm; }
.plaque-sheet .foot img { width: 34mm; height: 34mm; }
.plaque-sheet .num { font-family: monospace; font-size: 11pt; font-weight: 700; }
`;

export default function PlaquePrint() {
  const { plaqueId } = useParams();
  // The answer carries the plaque it was asked for: another plaque is not shown while this one loads.
  const { data, error } = useLoad(
    useCallback(() => call(getPlaque, { params: { id: plaqueId } }).then((p) => ({ plaqueId, p })), [plaqueId]),
  );
  return (
    <Loaded data={data && data.plaqueId === plaqueId ? data.p : null} error={error}>
      {(p) => <PlaqueSheet p={p} />}
    </Loaded>
  );
}

function PlaqueSheet({ p }: { p: PlaqueInfo }) {
  const r = p.record;
  return (
    <div>
      <style>{PRINT_CSS}</style>
      <Space className="no-print" wrap style={{ marginBottom: 16 }}>
        <Link to={`/sanliang?open=${r.id}`}>
          <Button icon={<ArrowLeftOutlined />}>返回</Button>
        </Link>
        <Button type="primary" icon={<PrinterOutlined />} disabled={p.state !== 'valid'} onClick={() => window.print()}>
          打印（A5）
        </Button>
        <Typography.Text type="secondary">
          核验链接：
          <a href={p.verifyUrl} target="_blank" rel="noreferrer" data-verify-link>
            {p.verifyUrl}
          </a>
        </Typography.Text>
      </Space>
      {!publiclyReachable(p.verifyUrl) && (
        <Alert
          className="no-print"
          type="warning"
          showIcon
          title="二维码指向内网地址，公众用手机扫码打不开"
          description={`核验链接是 ${new URL(p.verifyUrl, window.location.href).host}。请系统管理员把 XGZ_PUBLIC_URL 设置为公众可访问的网址（见 README"配置（环境变量）"一节）后再打印。`}
          style={{ marginBottom: 16 }}
          data-testid="intranet-qr"
        />
      )}
      {p.state !== 'valid' && (
        <Alert
          className="no-print"
          type="warning"
          showIcon
          title="该牌匾已撤销，不能打印"
          style={{ marginBottom: 16 }}
        />
      )}
      <div className="plaque-sheet">
        <div className="star">★</div>
        <h1>{r.kindLabel}</h1>
        <div className="who">
          <b>{r.memberName}</b>
          {r.postName ? ` · ${r.postName}` : ''}
          <br />
          {r.entityName}
        </div>
        <h2>亮职责</h2>
        <p>{r.duties}</p>
        <h2>亮承诺</h2>
        <p>{r.commitment}</p>
        <div className="foot">
          <div>
            <p>
              编号：<span className="num">{p.number}</span>
            </p>
            <p>
              发放：{r.countyName} {r.stationName ?? '市场监管部门'} · {p.issuedOn}
            </p>
            <p>扫码核验牌匾真伪、反映问题</p>
          </div>
          <img src={`/api/v1/plaques/${p.id}/qr.png`} alt={`牌匾 ${p.number} 的核验二维码`} />
        </div>
      </div>
    </div>
  );
}
