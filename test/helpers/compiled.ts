import path from 'node:path';
import { inject } from 'vitest';

/** A TypeScript file of the checkout as compiled by test/setup/cli.ts: what a test's child process runs with plain node. */
export const compiled = (file: string) => path.join(inject('compiledDir'), file.replace(/\.ts$/, '.js'));
