import { DownloadOutlined } from '@ant-design/icons';
import { App, Button, type ButtonProps } from 'antd';
import { useState, type MouseEvent } from 'react';
import { ApiError } from '../api';
import { applyProblem } from './problem';

/** The name the server gave the file (filename*=UTF-8''…), else the link's last part. */
function fileNameOf(res: Response, href: string): string {
  const m = /filename\*=UTF-8''([^;]+)/i.exec(res.headers.get('content-disposition') ?? '');
  return m ? decodeURIComponent(m[1]) : (href.split('?')[0].split('/').pop() ?? 'download');
}

/** What the server said instead of the file, as the one error type the pages show. */
async function refusal(res: Response): Promise<ApiError> {
  const data = (res.headers.get('content-type') ?? '').includes('json') ? await res.json().catch(() => null) : null;
  return new ApiError(
    res.status,
    data?.title ?? `下载失败（${res.status}）`,
    data?.detail,
    data?.errors ?? [],
    data?.code,
  );
}

/**
 * A download (a list's Excel export, a report's workbook): fetched, not followed as a link, so that a
 * refusal (too many rows for one export, another export still running, no right) is a message on the
 * page and not the server's raw answer in place of the app; and the button turns while a large
 * export is prepared, which takes seconds for a city's list. Still a link (right-click, keyboard).
 */
export function DownloadButton({
  href,
  children,
  ...rest
}: Omit<ButtonProps, 'onClick' | 'loading'> & { href: string }) {
  const { message } = App.useApp();
  const [busy, setBusy] = useState(false);
  const download = async (e: MouseEvent) => {
    e.preventDefault();
    // In a row or a card that opens on a tap, the download is not also that tap.
    e.stopPropagation();
    if (busy) return;
    setBusy(true);
    try {
      const res = await fetch(href, { credentials: 'same-origin' });
      if (!res.ok) throw await refusal(res);
      const url = URL.createObjectURL(await res.blob());
      const a = Object.assign(document.createElement('a'), { href: url, download: fileNameOf(res, href) });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
    } catch (err) {
      void message.error(applyProblem(null, err), 8);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Button icon={<DownloadOutlined />} {...rest} href={href} loading={busy} onClick={download}>
      {children}
    </Button>
  );
}

const LINK = { padding: 0, height: 'auto' };

/** A download that reads as a link in a table cell, a card's corner or a list of files (错误报告, a version's Excel, an attachment). */
export function DownloadLink({
  style,
  ...rest
}: Omit<ButtonProps, 'onClick' | 'loading' | 'type' | 'size'> & { href: string }) {
  return <DownloadButton type="link" size="small" icon={null} {...rest} style={{ ...LINK, ...style }} />;
}
