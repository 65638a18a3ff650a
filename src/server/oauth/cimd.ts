// Client ID Metadata Documents: an https client_id URL fetched with strict limits (https only, public
// addresses only unless allowed, size and time caps, no redirects) and cached briefly.
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { rootCertificates } from 'node:tls';
import { Agent, type Dispatcher, request } from 'undici';

export interface ClientDocument {
  client_id: string;
  client_name: string | undefined;
  redirect_uris: string[];
}

export interface CimdOptions {
  allowPrivate: boolean;
  now: () => number;
  timeoutMs?: number;
  maxBytes?: number;
  cacheMs?: number;
  /** Extra PEM CA trusted besides Node's bundled roots. */
  ca?: string;
}

const PRIVATE = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 3],
] as const) {
  PRIVATE.addSubnet(net, bits, 'ipv4');
}
for (const [net, bits] of [
  ['::', 128],
  ['::1', 128],
  ['64:ff9b::', 96],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  PRIVATE.addSubnet(net, bits, 'ipv6');
}

export function isPrivateAddress(address: string): boolean {
  // An IPv4-mapped IPv6 address is judged as the IPv4 address it is (a ::ffff:0:0/96 rule would also
  // match every plain IPv4 address: BlockList compares IPv4 against mapped IPv6 ranges).
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (mapped) return isPrivateAddress(mapped);
  const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(address);
  if (hex) {
    const [hi, lo] = [Number.parseInt(hex[1]!, 16), Number.parseInt(hex[2]!, 16)];
    return isPrivateAddress(`${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`);
  }
  const family = isIP(address);
  if (family === 0) return true;
  return PRIVATE.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/** Every address is checked where the socket connects, so a DNS answer that changes cannot slip past. */
function guardedLookup(allowPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, '', 0);
      const list = addresses as unknown as LookupAddress[];
      const usable = list.filter((a) => allowPrivate || !isPrivateAddress(a.address));
      if (usable.length === 0) {
        return callback(Object.assign(new Error('address not allowed'), { code: 'EADDRNOTALLOWED' }), '', 0);
      }
      if ((options as { all?: boolean }).all)
        return (callback as never as (e: null, a: LookupAddress[]) => void)(null, usable);
      callback(null, usable[0]!.address, usable[0]!.family);
    });
  };
}

export class CimdError extends Error {}

export function createCimdFetcher(o: CimdOptions) {
  const timeoutMs = o.timeoutMs ?? 5_000;
  const maxBytes = o.maxBytes ?? 16 * 1024;
  const cacheMs = o.cacheMs ?? 5 * 60_000;
  const dispatcher: Dispatcher = new Agent({
    connect: {
      lookup: guardedLookup(o.allowPrivate),
      timeout: timeoutMs,
      ...(o.ca ? { ca: [...rootCertificates, o.ca] } : {}),
    },
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    connections: 4,
  });
  const cache = new Map<string, { doc: ClientDocument; until: number }>();

  async function fetchDocument(url: URL): Promise<ClientDocument> {
    if (url.protocol !== 'https:') throw new CimdError('a client_id URL must be https');
    if (url.username || url.password || url.hash) throw new CimdError('a client_id URL must be plain');
    const literal = url.hostname.replace(/^\[|\]$/g, '');
    if (isIP(literal) && !o.allowPrivate && isPrivateAddress(literal)) {
      throw new CimdError('the client_id URL points at a private address');
    }
    // One deadline for headers and body; cleared once read, so it never fires on a finished exchange.
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), timeoutMs);
    const chunks: Buffer[] = [];
    try {
      let res: Dispatcher.ResponseData;
      try {
        res = await request(url, {
          dispatcher,
          method: 'GET',
          headers: { accept: 'application/json' },
          signal: abort.signal,
        });
      } catch {
        throw new CimdError('the client metadata document could not be fetched');
      }
      res.body.on('error', () => {}); // a destroyed or aborted body reports here; the loop below decides
      if (res.statusCode !== 200) {
        res.body.destroy();
        throw new CimdError(`the client metadata document answered HTTP ${res.statusCode}`);
      }
      let size = 0;
      try {
        for await (const chunk of res.body) {
          size += (chunk as Buffer).length;
          if (size > maxBytes)
            throw new CimdError(`the client metadata document is larger than ${maxBytes} bytes`);
          chunks.push(chunk as Buffer);
        }
      } catch (error) {
        res.body.destroy();
        if (error instanceof CimdError) throw error;
        throw new CimdError('the client metadata document could not be read');
      }
    } finally {
      clearTimeout(timer);
    }
    let doc: Record<string, unknown>;
    try {
      doc = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
    } catch {
      throw new CimdError('the client metadata document is not JSON');
    }
    if (!doc || typeof doc !== 'object' || doc.client_id !== url.href) {
      throw new CimdError('the client metadata document must name its own URL as client_id');
    }
    const uris = doc.redirect_uris;
    if (!Array.isArray(uris) || uris.length === 0 || !uris.every((u) => typeof u === 'string')) {
      throw new CimdError('the client metadata document must list redirect_uris');
    }
    const name = typeof doc.client_name === 'string' ? doc.client_name.slice(0, 100) : undefined;
    return { client_id: url.href, client_name: name, redirect_uris: uris as string[] };
  }

  return {
    async resolve(clientId: string): Promise<ClientDocument> {
      const hit = cache.get(clientId);
      if (hit && hit.until > o.now()) return hit.doc;
      let url: URL;
      try {
        url = new URL(clientId);
      } catch {
        throw new CimdError('client_id is not a URL');
      }
      if (url.href !== clientId) throw new CimdError('client_id must be a normalised URL');
      const doc = await fetchDocument(url);
      if (cache.size >= 1_000) cache.clear();
      cache.set(clientId, { doc, until: o.now() + cacheMs });
      return doc;
    },
    close: () => dispatcher.close(),
  };
}

export type CimdFetcher = ReturnType<typeof createCimdFetcher>;
