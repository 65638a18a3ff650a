// The sign-in key ring from MCP_OAUTH_KEYS_FILE: "<key id> <base64url of 32 bytes>" per line, first one seals.
import { ConfigError } from '../../config/settings.js';

export interface OAuthKey {
  kid: string;
  key: Uint8Array;
}

export interface KeyRing {
  /** New codes and tokens are sealed under this key. */
  current: OAuthKey;
  /** Every listed key, by id: tokens under any of them open until its line is removed. */
  byId: ReadonlyMap<string, Uint8Array>;
}

const KID = /^[A-Za-z0-9._-]{1,64}$/;
const B64URL = /^[A-Za-z0-9_-]+$/;

/** Parses the file's text; throws ConfigError naming the line (never the key material) on a bad line. */
export function parseKeyRing(text: string, source = 'MCP_OAUTH_KEYS_FILE'): KeyRing {
  const keys: OAuthKey[] = [];
  const byId = new Map<string, Uint8Array>();
  const lines = text.split(/\r?\n/);
  for (const [i, raw] of lines.entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const parts = line.split(/\s+/);
    const where = `Invalid ${source}: line ${i + 1}`;
    if (parts.length !== 2) throw new ConfigError(`${where} must be "<key id> <base64url key>"`);
    const [kid, material] = parts as [string, string];
    if (!KID.test(kid)) throw new ConfigError(`${where}: key id must be 1-64 of A-Z a-z 0-9 . _ -`);
    if (byId.has(kid)) throw new ConfigError(`${where}: key id ${kid} is listed twice`);
    const key = B64URL.test(material) ? Buffer.from(material, 'base64url') : Buffer.alloc(0);
    if (key.length !== 32) {
      throw new ConfigError(`${where}: key ${kid} must be base64url of exactly 32 random bytes`);
    }
    const bytes = new Uint8Array(key);
    keys.push({ kid, key: bytes });
    byId.set(kid, bytes);
  }
  if (keys.length === 0) throw new ConfigError(`Invalid ${source}: holds no keys`);
  return { current: keys[0]!, byId };
}

/** Reads and parses the file; an unreadable file is a ConfigError naming the setting. */
export function loadKeyRing(path: string, readFile: (path: string) => string): KeyRing {
  let text: string;
  try {
    text = readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new ConfigError(`Invalid MCP_OAUTH_KEYS_FILE: cannot read ${path} (${code})`);
  }
  return parseKeyRing(text);
}
