import path from 'node:path';
import { z } from 'zod';
import { DEFAULT_TIME_ZONE, isTimeZone } from './domain/time/zone.js';

/** Environment, validated once. Everything the deployer can set lives here and in README.md. */
const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('127.0.0.1'),
  DATABASE_URL: z.string().optional(),
  XGZ_DATA_DIR: z.string().default('./data'),
  XGZ_DATA_KEY: z.string().optional(),
  XGZ_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  XGZ_COOKIE_SECURE: z.enum(['auto', 'always', 'never']).default('auto'),
  // The proxies in front: 1 for one on this machine, or their addresses. Never every address, or a
  // client's own X-Forwarded-For would be taken for its address (lockout, rate limits, allowlists).
  XGZ_TRUST_PROXY: z
    .string()
    .trim()
    .regex(/^([01]|[\w.:/]+(,\s*[\w.:/]+)*)$/, '应为 0、1（代理在本机）或代理的地址列表（如 10.0.0.5,10.0.1.0/24）')
    .default('0'),
  XGZ_BODY_LIMIT: z.coerce.number().int().positive().default(1_048_576),
  /** Rows one list export writes at most; a longer list is refused (422), never cut (issue 18). */
  XGZ_EXPORT_MAX_ROWS: z.coerce.number().int().min(1).max(1_048_575).default(200_000),
  XGZ_IMPORT_MAX_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(1024 ** 3),
  /** Largest attachment (notices, tasks, replies …) in bytes. */
  XGZ_ATTACHMENT_MAX_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(20 * 1024 * 1024),
  /** Bytes of attachments one county (with its stations) keeps, or a city, province or the nation on its own node (round 12). */
  XGZ_ATTACHMENT_COUNTY_QUOTA_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(10 * 1024 ** 3),
  /**
   * Seconds a request may take to arrive whole (the largest import file on a slow line), and an
   * attachment's file (round 12: a trickled upload held its slot, and every other upload, for ever).
   */
  XGZ_REQUEST_TIMEOUT_SECONDS: z.coerce.number().int().min(10).default(600),
  XGZ_ATTACHMENT_RECEIVE_SECONDS: z.coerce.number().int().min(1).default(120),
  /** Seconds a download may take to be sent, or the server ends it (round 13: a reader that stopped reading held its slot for ever). */
  XGZ_ATTACHMENT_SEND_SECONDS: z.coerce.number().int().min(1).default(600),
  /** Where the public reaches the platform (the QR codes printed on plaques open it), e.g. https://xgz.example.gov.cn */
  XGZ_PUBLIC_URL: z.url({ protocol: /^https?$/, error: 'XGZ_PUBLIC_URL 应为 http(s):// 开头的网址' }).optional(),
  /** Appeals one client address may submit per minute on the public appeal page (a load test lifts it for itself). */
  XGZ_APPEAL_RATE: z.coerce.number().int().min(1).default(5),
  /** Public self-reports (党员报到) one county takes a day, from all addresses together (round 11). */
  XGZ_SELF_REPORT_COUNTY_DAILY: z.coerce.number().int().min(1).default(200),
  /** Public appeals (诉求) and plaque feedback (牌匾反映) one county takes a day, from all addresses together (round 12). */
  XGZ_APPEAL_COUNTY_DAILY: z.coerce.number().int().min(1).default(500),
  XGZ_PLAQUE_FEEDBACK_COUNTY_DAILY: z.coerce.number().int().min(1).default(200),
  /** Overrides the calibrated PBKDF2 iteration count (tests use a small one to stay fast). */
  XGZ_PASSWORD_ITERATIONS: z.coerce.number().int().min(1000).optional(),
  /** Imports one account may have uploading, queued or running at once, and all accounts together. */
  XGZ_IMPORT_MAX_PER_ACCOUNT: z.coerce.number().int().min(1).default(2),
  XGZ_IMPORT_MAX_PENDING: z.coerce.number().int().min(1).default(8),
  /** Days an uploaded import file is kept (encrypted) for "re-import" before the retention job removes it. */
  XGZ_IMPORT_RETENTION_DAYS: z.coerce.number().int().min(1).default(30),
  /** The deployment's time zone: what "today", a month and a report period's end mean (snapshots, reports). */
  XGZ_TIME_ZONE: z
    .string()
    .default(DEFAULT_TIME_ZONE)
    .refine(isTimeZone, 'XGZ_TIME_ZONE 应为 IANA 时区名，如 Asia/Shanghai'),
  /** How far (a share, 0.05 = 5%) a report's consolidated figure may differ from the live one before the difference must be explained. */
  XGZ_REPORT_TOLERANCE: z.coerce.number().min(0).max(1).default(0.05),
  /**
   * Optional TLS on the server's own listener (PEM files): certificate and key, and the CA whose
   * client certificates may authenticate service accounts on /api/v1/exchange/… (mutual TLS; a
   * browser without a certificate still connects).
   */
  XGZ_TLS_CERT: z.string().optional(),
  XGZ_TLS_KEY: z.string().optional(),
  XGZ_TLS_CLIENT_CA: z.string().optional(),
});

export type Config = {
  port: number;
  host: string;
  databaseUrl?: string;
  dataDir: string;
  dataKey?: string;
  logLevel: z.infer<typeof envSchema>['XGZ_LOG_LEVEL'];
  cookieSecure: 'auto' | 'always' | 'never';
  /** The proxies whose X-Forwarded-For is believed (addresses, CIDRs or proxy-addr's names); false when none. */
  trustProxy: false | string[];
  bodyLimit: number;
  importMaxBytes: number;
  attachmentMaxBytes: number;
  attachmentCountyQuotaBytes: number;
  requestTimeoutSeconds: number;
  attachmentReceiveSeconds: number;
  attachmentSendSeconds: number;
  publicUrl?: string;
  appealRatePerMinute: number;
  selfReportCountyDaily: number;
  appealCountyDaily: number;
  plaqueFeedbackCountyDaily: number;
  passwordIterations?: number;
  importMaxPerAccount: number;
  importMaxPending: number;
  importRetentionDays: number;
  timeZone: string;
  reportTolerance: number;
  exportMaxRows: number;
  /** PEM file paths of the server's TLS listener; absent: plain HTTP (a proxy terminates TLS). */
  tls?: { cert: string; key: string; clientCa?: string };
};

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`环境变量配置有误 (invalid environment):\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  if (!e.XGZ_TLS_CERT !== !e.XGZ_TLS_KEY)
    throw new Error('环境变量配置有误 (invalid environment):\n  XGZ_TLS_CERT 与 XGZ_TLS_KEY 须同时设置');
  if (e.XGZ_TLS_CLIENT_CA && !e.XGZ_TLS_CERT)
    throw new Error(
      '环境变量配置有误 (invalid environment):\n  XGZ_TLS_CLIENT_CA 须与 XGZ_TLS_CERT、XGZ_TLS_KEY 一同设置（客户端证书只在本服务的 TLS 连接上验证）',
    );
  return {
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL || undefined,
    dataDir: path.resolve(e.XGZ_DATA_DIR),
    dataKey: e.XGZ_DATA_KEY,
    logLevel: e.XGZ_LOG_LEVEL,
    cookieSecure: e.XGZ_COOKIE_SECURE,
    trustProxy:
      e.XGZ_TRUST_PROXY === '0'
        ? false
        : e.XGZ_TRUST_PROXY === '1'
          ? ['loopback']
          : e.XGZ_TRUST_PROXY.split(',').map((a) => a.trim()),
    bodyLimit: e.XGZ_BODY_LIMIT,
    importMaxBytes: e.XGZ_IMPORT_MAX_BYTES,
    attachmentMaxBytes: e.XGZ_ATTACHMENT_MAX_BYTES,
    attachmentCountyQuotaBytes: e.XGZ_ATTACHMENT_COUNTY_QUOTA_BYTES,
    requestTimeoutSeconds: e.XGZ_REQUEST_TIMEOUT_SECONDS,
    attachmentReceiveSeconds: e.XGZ_ATTACHMENT_RECEIVE_SECONDS,
    attachmentSendSeconds: e.XGZ_ATTACHMENT_SEND_SECONDS,
    publicUrl: e.XGZ_PUBLIC_URL?.replace(/\/+$/, ''),
    appealRatePerMinute: e.XGZ_APPEAL_RATE,
    selfReportCountyDaily: e.XGZ_SELF_REPORT_COUNTY_DAILY,
    appealCountyDaily: e.XGZ_APPEAL_COUNTY_DAILY,
    plaqueFeedbackCountyDaily: e.XGZ_PLAQUE_FEEDBACK_COUNTY_DAILY,
    passwordIterations: e.XGZ_PASSWORD_ITERATIONS,
    importMaxPerAccount: e.XGZ_IMPORT_MAX_PER_ACCOUNT,
    importMaxPending: e.XGZ_IMPORT_MAX_PENDING,
    importRetentionDays: e.XGZ_IMPORT_RETENTION_DAYS,
    timeZone: e.XGZ_TIME_ZONE,
    reportTolerance: e.XGZ_REPORT_TOLERANCE,
    exportMaxRows: e.XGZ_EXPORT_MAX_ROWS,
    ...(e.XGZ_TLS_CERT && e.XGZ_TLS_KEY
      ? {
          tls: {
            cert: path.resolve(e.XGZ_TLS_CERT),
            key: path.resolve(e.XGZ_TLS_KEY),
            ...(e.XGZ_TLS_CLIENT_CA ? { clientCa: path.resolve(e.XGZ_TLS_CLIENT_CA) } : {}),
          },
        }
      : {}),
  };
}
