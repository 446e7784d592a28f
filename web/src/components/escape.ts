/**
 * Text from data (a station's or an area's name) placed in HTML that a chart library renders with
 * innerHTML — an ECharts tooltip `formatter` that returns a string. Every such formatter passes
 * each data value through this; labels drawn on the canvas are text and need nothing.
 */
export const escapeHtml = (v: string | number | null | undefined): string =>
  String(v ?? '').replace(
    /[&<>"'`]/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' })[c]!,
  );
