import { resolve } from 'node:path';

export const QUESTDB_VERSION = process.env.MW_QUESTDB_VERSION ?? '9.3.4';
/** The jar cache the CLI uses too, so a test run after `npm start` fetches nothing. */
export const CACHE_DIR = resolve(process.env.MW_CACHE_DIR ?? '.meterwatch/cache');
