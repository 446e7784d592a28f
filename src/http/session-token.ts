import { sm3Hex } from '../crypto/sm3.js';

/** The session cookie's name; the cookie holds a random token whose hash is the session row's id. */
export const SESSION_COOKIE = 'xgz_sid';

export const hashToken = (token: string): string => sm3Hex(`session:${token}`);
