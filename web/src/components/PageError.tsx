import { Component, type ReactNode } from 'react';
import { Button, Result } from 'antd';

/**
 * A page that fails to load or to draw (its code gone after an upgrade, a fault) says so and offers
 * a reload, instead of blanking the whole window; the menu stays usable. Going to another address
 * (`at`) tries again; a page that works is not remounted when its address changes.
 */
export class PageErrorBoundary extends Component<{ at: string; children: ReactNode }, { failed: boolean }> {
  state = { failed: false };

  static getDerivedStateFromError() {
    return { failed: true };
  }

  componentDidUpdate(before: { at: string }) {
    if (this.state.failed && before.at !== this.props.at) this.setState({ failed: false });
  }

  render() {
    if (!this.state.failed) return this.props.children;
    return (
      <Result
        status="warning"
        title="页面未能打开"
        subTitle="系统可能刚刚升级，或网络中断。请刷新页面；仍不能打开请联系系统管理员。"
        extra={
          <Button type="primary" onClick={() => window.location.reload()}>
            刷新页面
          </Button>
        }
      />
    );
  }
}
