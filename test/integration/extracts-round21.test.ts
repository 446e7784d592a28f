import { describe, expect, it } from 'vitest';
import { BACKENDS } from '../helpers/db.js';
import { clerkProbe, importFile } from '../helpers/imports.js';
import { uscc } from '../fixtures/extracts/generate.js';

/**
 * Clerk probe round 21: files as a county's bureau really exports them, not yet covered elsewhere,
 * each previewed and imported through the job, and what lands read back.
 */
describe.each(BACKENDS)('extracts of round 21 on %s', (backend) => {
  const probe = clerkProbe(backend);
  const { clerk, gbkCsv, preview } = probe;
  const code = (i: number, series: string) => uscc('92', '320102', `MA2R21${series}${String(i).padStart(2, '0')}`);

  it("skips a WPS export's footer ending in a 填报说明 line as its footer, not as entities", async () => {
    // The 填报说明 line was refused as an entity whose 统一社会信用代码 is 27 characters long, and the
    // 制表人 line above it as a 合计 row with data under it: two rejections for rows that are no entity.
    const file = gbkCsv('登记信息（WPS）.csv', [
      '统一社会信用代码,名称,经营者,成立日期,住所',
      `${code(1, 'H')},尾1店,王一,2019-03-05,中山路1号`,
      `${code(2, 'H')},尾2店,王二,2019-03-05,中山路2号`,
      ',,,,',
      '合计：2户,,,,',
      '制表人：张三,审核人：李四,,,',
      '填报说明：1.本表由登记系统导出；2.日期格式为年-月-日,,,,',
    ]);
    const p = await preview('registry', file);
    expect(p.sample.map((s) => [s.rowNo, s.problems])).toEqual([
      [2, []],
      [3, []],
    ]);
    const { job, rejections } = await importFile(probe.t, 'registry', file, clerk);
    expect(rejections).toEqual([]);
    expect(job).toMatchObject({ status: 'done', rows_accepted: 2, rows_rejected: 0 });
    expect(job.footer).toBe(
      '表尾 3 行不是数据，未导入：第 5 行"合计：2户"、第 6 行"制表人：张三 审核人：李四"、第 7 行"填报说明：1.本表由登记系统导出；2.日期格式为年-月-日"',
    );
  });
});
