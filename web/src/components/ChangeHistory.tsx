import { Empty, Timeline, Typography } from 'antd';
import type { HistoryLine } from '@server/http/contract';
import { when } from './format';

/** A record's change history (ledger_history lines), newest first, each line in words with who and when. */
export function ChangeHistory<H extends HistoryLine>({ lines, describe }: { lines: H[]; describe: (h: H) => string }) {
  if (lines.length === 0) return <Empty description="暂无变更" />;
  return (
    <Timeline
      items={lines.map((h, i) => ({
        key: i,
        color: h.op === 'I' ? 'green' : h.op === 'D' ? 'red' : 'blue',
        content: (
          <div>
            <div>{describe(h)}</div>
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {when(h.at)} · {h.actor}
            </Typography.Text>
          </div>
        ),
      }))}
    />
  );
}
