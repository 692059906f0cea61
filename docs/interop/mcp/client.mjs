// An independent MCP client (the official MCP TypeScript SDK) against
// Credence's demo MCP server (examples/two_org_mcp.rs --hold SECS).
//
// 1. stdio Client → the agent's wallet (`credence wallet --wallet DIR mcp`):
//    tools/list, get_token for the MCP URL.
// 2. Streamable HTTP Client → the MCP server, with a custom `fetch` that
//    asks the wallet's dpop_proof tool for a fresh proof on every request
//    (the agent's key stays in the wallet) and sets
//    `Authorization: DPoP <token>` and `DPoP: <proof>`.
// 3. tools/list, list_invoices, pay_invoice (refused: 403 insufficient_scope).
// 4. A bare connection (no auth headers): refused with 401.
// 5. Closes everything.
//
// Usage:
//   node client.mjs --mcp-url URL --wallet DIR [--credence BIN]
//   node client.mjs --demo-log FILE [--credence BIN]   (reads URL, DIR, passphrase
//                                                      from the demo's --hold output)
// Env: MCP_URL, CREDENCE_WALLET, CREDENCE_BIN (default `credence` on PATH),
//      CREDENCE_PASSPHRASE (the wallet's passphrase; required unless --demo-log).

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import {
  StreamableHTTPClientTransport,
  StreamableHTTPError,
} from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { LATEST_PROTOCOL_VERSION } from '@modelcontextprotocol/sdk/types.js';

const { values: opts } = parseArgs({
  options: {
    'mcp-url': { type: 'string' },
    wallet: { type: 'string' },
    credence: { type: 'string' },
    'demo-log': { type: 'string' },
  },
});

let mcpUrl = opts['mcp-url'] ?? process.env.MCP_URL;
let walletDir = opts.wallet ?? process.env.CREDENCE_WALLET;
let passphrase = process.env.CREDENCE_PASSPHRASE;
if (opts['demo-log']) {
  const log = readFileSync(opts['demo-log'], 'utf8');
  mcpUrl ??= log.match(/MCP server\s+(https?:\/\/\S+)/)?.[1];
  walletDir ??= log.match(/--wallet (\S+) mcp/)?.[1];
  passphrase ??= log.match(/CREDENCE_PASSPHRASE='([^']*)'/)?.[1];
}
const credenceBin = opts.credence ?? process.env.CREDENCE_BIN ?? 'credence';
if (!mcpUrl || !walletDir || passphrase === undefined) {
  console.error(
    'usage: CREDENCE_PASSPHRASE=... node client.mjs --mcp-url URL --wallet DIR [--credence BIN]\n' +
      '   or: node client.mjs --demo-log FILE [--credence BIN]',
  );
  process.exit(2);
}

// The SDK's exports map "./*" into dist/, so its package.json is found by
// walking up from the entry point that resolves.
const sdkVersion = (() => {
  let dir = dirname(createRequire(import.meta.url).resolve('@modelcontextprotocol/sdk/client/index.js'));
  for (; dir !== dirname(dir); dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
      if (pkg.name === '@modelcontextprotocol/sdk') return pkg.version;
    } catch {}
  }
  return 'unknown';
})();
const clientInfo = { name: 'credence-interop-ts-sdk', version: '0.1.0' };
let failures = 0;
const check = (ok, what) => {
  console.log(`   ${ok ? 'OK  ' : 'FAIL'} ${what}`);
  if (!ok) failures += 1;
};
const text = (result) => result?.content?.[0]?.text ?? '';
const jsonText = (result) => JSON.parse(text(result));
const short = (s, n = 60) => (s.length > n ? `${s.slice(0, n)}… (${s.length} chars)` : s);
// undici joins repeated WWW-Authenticate fields with ", "; split them back
// before each auth-scheme name.
const challenges = (headers) =>
  (headers.get('www-authenticate') ?? '').split(/,\s*(?=(?:Bearer|DPoP)\s)/).filter(Boolean);
// What one request asked for: its HTTP method and, for a POST, the JSON-RPC method.
const describe = (init) => {
  const method = (init?.method ?? 'GET').toUpperCase();
  let rpc = '';
  if (typeof init?.body === 'string') {
    try {
      const message = JSON.parse(init.body);
      rpc = message.method ?? 'response';
      if (message.method === 'tools/call') rpc += ` ${message.params?.name}`;
    } catch {}
  }
  return { method, rpc };
};

console.log(`MCP TypeScript SDK ${sdkVersion} (latest protocol ${LATEST_PROTOCOL_VERSION}), Node ${process.version}`);
console.log(`MCP server ${mcpUrl}`);
console.log(`wallet     ${credenceBin} wallet --wallet ${walletDir} mcp`);

// ---- 1. The wallet over stdio ------------------------------------------
console.log('\n1. stdio Client → the agent\'s wallet');
const wallet = new Client(clientInfo);
await wallet.connect(
  new StdioClientTransport({
    command: credenceBin,
    args: ['wallet', '--wallet', walletDir, 'mcp'],
    // The SDK passes on only a few variables (HOME, PATH, ...) by default.
    env: { CREDENCE_PASSPHRASE: passphrase },
    stderr: 'inherit',
  }),
);
const walletServer = wallet.getServerVersion();
console.log(`   server ${walletServer?.name} ${walletServer?.version}, protocol ${wallet.transport?.protocolVersion ?? '(stdio: not a header)'}`);
const walletTools = (await wallet.listTools()).tools.map((t) => t.name);
console.log(`   tools/list: ${walletTools.join(', ')}`);
check(['get_token', 'dpop_proof'].every((t) => walletTools.includes(t)), 'wallet offers get_token and dpop_proof');

const tokenResult = await wallet.callTool({ name: 'get_token', arguments: { resource: mcpUrl } });
if (tokenResult.isError) {
  console.log(`   get_token refused: ${text(tokenResult)}`);
  await wallet.close();
  process.exit(1);
}
const token = jsonText(tokenResult);
console.log(
  `   get_token → token_type ${token.token_type}, scope ${JSON.stringify(token.scope)}, ` +
    `resource ${token.resource}, expires_at ${token.expires_at}, authorization_server ${token.authorization_server}`,
);
console.log(`   access_token ${short(token.access_token, 40)}`);
check(token.token_type === 'DPoP', 'token is DPoP-bound');

// ---- 2. The MCP server over Streamable HTTP, every request DPoP-signed ----
console.log('\n2. Streamable HTTP Client → the MCP server, custom fetch signing each request through the wallet');
const trace = [];
const dpopFetch = async (url, init = {}) => {
  const { method, rpc } = describe(init);
  // RFC 9449 §4.2: htu is the target URI without query and fragment.
  const htu = new URL(url);
  htu.search = '';
  htu.hash = '';
  const proofResult = await wallet.callTool({
    name: 'dpop_proof',
    arguments: { method, url: htu.href, access_token: token.access_token },
  });
  if (proofResult.isError) throw new Error(`dpop_proof refused: ${text(proofResult)}`);
  const headers = new Headers(init.headers);
  headers.set('authorization', `DPoP ${token.access_token}`);
  headers.set('dpop', jsonText(proofResult).dpop);
  const response = await fetch(url, { ...init, headers });
  const entry = { method, rpc, status: response.status, headers: response.headers };
  trace.push(entry);
  console.log(
    `   [http] ${method} ${rpc ? `(${rpc}) ` : ''}→ ${response.status}` +
      (response.headers.get('mcp-session-id') && rpc === 'initialize' ? ' (mcp-session-id set)' : '') +
      (response.headers.get('credence-reason') ? ` credence-reason: ${response.headers.get('credence-reason')}` : ''),
  );
  return response;
};

const mcp = new Client(clientInfo);
mcp.onerror = (e) => console.log(`   [client onerror] ${e.message}`);
const transport = new StreamableHTTPClientTransport(new URL(mcpUrl), { fetch: dpopFetch });
await mcp.connect(transport);
const server = mcp.getServerVersion();
console.log(`   connected: server ${server?.name} ${server?.version}, negotiated protocol ${transport.protocolVersion}, session ${transport.sessionId ? 'yes' : 'none'}`);

// ---- 3. tools/list, list_invoices, pay_invoice --------------------------
console.log('\n3. tools/list, list_invoices, pay_invoice');
const tools = (await mcp.listTools()).tools.map((t) => t.name);
console.log(`   tools/list: ${tools.join(', ')}`);
check(tools.includes('list_invoices') && tools.includes('pay_invoice'), 'server offers list_invoices and pay_invoice');

const listed = await mcp.callTool({ name: 'list_invoices', arguments: {} });
console.log(`   list_invoices → ${text(listed)}`);
check(!listed.isError && text(listed).length > 0, 'list_invoices answered with the invoices:read token');

try {
  const paid = await mcp.callTool({ name: 'pay_invoice', arguments: { invoice_id: 'INV-1001' } });
  console.log(`   pay_invoice → ${JSON.stringify(paid)}`);
  check(false, 'pay_invoice should have been refused');
} catch (e) {
  const last = trace.at(-1);
  console.log(`   pay_invoice threw ${e.constructor.name} (code ${e.code}): ${e.message}`);
  for (const c of challenges(last.headers)) console.log(`   WWW-Authenticate: ${c}`);
  check(
    e instanceof StreamableHTTPError && e.code === 403 && /insufficient_scope/.test(last.headers.get('www-authenticate') ?? ''),
    'pay_invoice refused with HTTP 403 insufficient_scope before reaching the tool',
  );
}
const again = await mcp.callTool({ name: 'list_invoices', arguments: {} });
check(!again.isError, 'the session still works after the refusal (list_invoices again)');

// ---- 4. A bare connection ------------------------------------------------
console.log('\n4. A bare Streamable HTTP Client (no Authorization, no DPoP)');
let bareResponse;
// This fetch only looks at the response: it adds no header.
const observe = async (url, init) => {
  const response = await fetch(url, init);
  const { method, rpc } = describe(init);
  console.log(`   [http] ${method} ${rpc ? `(${rpc}) ` : ''}→ ${response.status}`);
  bareResponse = response;
  return response;
};
const bare = new Client(clientInfo);
try {
  await bare.connect(new StreamableHTTPClientTransport(new URL(mcpUrl), { fetch: observe }));
  check(false, 'a bare connection should have been refused');
} catch (e) {
  console.log(`   connect threw ${e.constructor.name} (code ${e.code}): ${e.message}`);
  for (const c of challenges(bareResponse.headers)) console.log(`   WWW-Authenticate: ${c}`);
  check(e instanceof StreamableHTTPError && e.code === 401 && bareResponse.headers.has('www-authenticate'), 'bare connection refused with HTTP 401 and a WWW-Authenticate challenge');
}
await bare.close();

// ---- 5. Close --------------------------------------------------------------
console.log('\n5. Close');
try {
  await transport.terminateSession(); // DELETE with the session id, DPoP-signed too
  console.log('   session terminated (DELETE)');
} catch (e) {
  console.log(`   DELETE failed: ${e.message}`);
}
await mcp.close();
await wallet.close();
console.log(`   clients closed; ${trace.length} DPoP-signed HTTP requests: ${trace.map((t) => `${t.method}${t.rpc ? ` ${t.rpc}` : ''}=${t.status}`).join(', ')}`);

console.log(failures === 0 ? '\nall checks passed' : `\n${failures} check(s) failed`);
process.exit(failures === 0 ? 0 : 1);
