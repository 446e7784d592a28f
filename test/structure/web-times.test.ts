import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * Times in the web UI are shown in the deployment's zone (XGZ_TIME_ZONE, sent with the session),
 * never the browser's: every page formats a moment through web/src/components/format.ts (when,
 * dayOf, timeOf, today, pickerOf), which reads the zone from src/domain/time/zone.ts. A page that
 * formats a Date with the browser's locale functions, or takes "now" from the browser's clock as a
 * calendar day, shows another day or hour to a clerk whose computer runs in another zone.
 */
const WEB = path.resolve('web/src');
const HELPER = path.join(WEB, 'components', 'format.ts');
const RULES: [RegExp, string][] = [
  [/\bnew Date\([^)]*\)\s*\.\s*toLocale(?:Date|Time)?String\(/, 'a Date formatted in the browser zone'],
  [/\.toLocale(?:Date|Time)String\(/, 'a date or time formatted in the browser zone'],
  [/\bdayjs\(\)/, "the browser's today"],
  [/\bnew Date\(\)\s*\.\s*get(?:FullYear|Month|Date|Hours)\(/, "the browser's calendar"],
  [/\bdayjs\([^)]+\)\s*\.\s*format\(\s*'[^']*HH/, 'a time of day read in the browser zone'],
];

function files(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? files(p) : /\.(ts|tsx)$/.test(e.name) ? [p] : [];
  });
}

describe('times in the web UI', () => {
  it("are formatted in the deployment's zone through one helper, never the browser's", () => {
    const found: string[] = [];
    for (const f of files(WEB)) {
      if (f === HELPER) continue;
      fs.readFileSync(f, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          for (const [re, what] of RULES)
            if (re.test(line)) found.push(`${path.relative(WEB, f)}:${i + 1} ${what}: ${line.trim()}`);
        });
    }
    expect(found).toEqual([]);
  });
});
