import path from 'node:path';
import { z } from 'zod';

/** Environment, validated once. Everything the deployer can set lives here and in README.md. */
const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('127.0.0.1'),
  DATABASE_URL: z.string().optional(),
  XGZ_DATA_DIR: z.string().default('./data'),
  XGZ_DATA_KEY: z.string().optional(),
  XGZ_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  XGZ_COOKIE_SECURE: z.enum(['auto', 'always', 'never']).default('auto'),
  XGZ_TRUST_PROXY: z.enum(['0', '1']).default('0'),
  XGZ_BODY_LIMIT: z.coerce.number().int().positive().default(1_048_576),
  XGZ_IMPORT_MAX_BYTES: z.coerce.number().int().positive().default(1024 ** 3),
  /** Where the public reaches the platform (the QR codes printed on plaques open it), e.g. https://xgz.example.gov.cn */
  XGZ_PUBLIC_URL: z.url({ protocol: /^https?$/, error: 'XGZ_PUBLIC_URL 应为 http(s):// 开头的网址' }).optional(),
  /** Appeals one client address may submit per minute on the public appeal page (a load test lifts it for itself). */
  XGZ_APPEAL_RATE: z.coerce.number().int().min(1).default(5),
  /** Overrides the calibrated PBKDF2 iteration count (tests use a small one to stay fast). */
  XGZ_PASSWORD_ITERATIONS: z.coerce.number().int().min(1000).optional(),
});

export type Config = {
  port: number;
  host: string;
  databaseUrl?: string;
  dataDir: string;
  dataKey?: string;
  logLevel: z.infer<typeof envSchema>['XGZ_LOG_LEVEL'];
  cookieSecure: 'auto' | 'always' | 'never';
  trustProxy: boolean;
  bodyLimit: number;
  importMaxBytes: number;
  publicUrl?: string;
  appealRatePerMinute: number;
  passwordIterations?: number;
};

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`环境变量配置有误 (invalid environment):\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  return {
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL || undefined,
    dataDir: path.resolve(e.XGZ_DATA_DIR),
    dataKey: e.XGZ_DATA_KEY,
    logLevel: e.XGZ_LOG_LEVEL,
    cookieSecure: e.XGZ_COOKIE_SECURE,
    trustProxy: e.XGZ_TRUST_PROXY === '1',
    bodyLimit: e.XGZ_BODY_LIMIT,
    importMaxBytes: e.XGZ_IMPORT_MAX_BYTES,
    publicUrl: e.XGZ_PUBLIC_URL?.replace(/\/+$/, ''),
    appealRatePerMinute: e.XGZ_APPEAL_RATE,
    passwordIterations: e.XGZ_PASSWORD_ITERATIONS,
  };
}
