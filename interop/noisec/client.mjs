// Interoperability client for the backchannel hub, built on noise-c (rweather's
// C implementation of Noise, compiled to WebAssembly by @richardhopton/noise-c.wasm)
// rather than on the Go code under test.
//
// Usage: BC_PRIVATE=<hex> BC_HUB_PUBLIC=<hex> [BC_TIMEOUT_MS=ms] node client.mjs HOST PORT
//
// It runs the Noise_KK_25519_ChaChaPoly_SHA256 initiator handshake (prologue
// "backchannel/1", empty payloads), reads the hub's welcome frame, sends a ping
// {"type":"ping","req":1} and prints one JSON line
//   {"welcome": <welcome object>, "reply": <reply frame>}
// then exits 0. On any error (including EOF or the timeout) it prints the reason
// to stderr and exits 1.
//
// Wire format (internal/wire): every Noise message is prefixed by its length as
// 2 bytes big-endian. A transport message's plaintext is
//   [flags:1][frame length:2 BE][frame: UTF-8 JSON][zero padding]
// padded so that the ciphertext (plaintext + 16-byte tag) is one of SIZES.

import net from 'node:net';
import createNoise from '@richardhopton/noise-c.wasm';

const PROTOCOL = 'Noise_KK_25519_ChaChaPoly_SHA256';
const PROLOGUE = new TextEncoder().encode('backchannel/1'); // bytes, not a C string: no NUL
const HANDSHAKE_SIZE = 48; // ephemeral key (32) + tag of the empty payload (16)
const TAG_SIZE = 16;
const HEADER = 3;
const FLAG_REKEY = 0x01;
const SIZES = [256, 1024, 4096, 16384, 65535];
const EMPTY = new Uint8Array(0);

function fail(msg) {
  process.stderr.write(`noisec client: ${msg}\n`);
  process.exit(1);
}

function hexKey(name) {
  const v = (process.env[name] || '').trim();
  if (!/^[0-9a-fA-F]{64}$/.test(v)) {
    fail(`${name} must be 64 hex digits (a 32-byte X25519 key), got ${v.length} characters`);
  }
  return new Uint8Array(Buffer.from(v, 'hex'));
}

// Reader turns a socket's chunks (split or merged however TCP likes) into exact
// reads. At most one read is pending at a time.
class Reader {
  constructor(sock) {
    this.buf = Buffer.alloc(0);
    this.total = 0; // bytes received in all
    this.ended = false;
    this.error = null;
    this.waiter = null;
    sock.on('data', (chunk) => {
      this.total += chunk.length;
      this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
      this.wake();
    });
    sock.on('end', () => {
      this.ended = true;
      this.wake();
    });
    sock.on('error', (err) => {
      this.error = err;
      this.wake();
    });
    sock.on('close', () => {
      this.ended = true;
      this.wake();
    });
  }

  wake() {
    if (!this.waiter) return;
    const { n, what, resolve, reject } = this.waiter;
    if (this.buf.length >= n) {
      this.waiter = null;
      const out = this.buf.subarray(0, n);
      this.buf = this.buf.subarray(n);
      resolve(new Uint8Array(out));
    } else if (this.error) {
      this.waiter = null;
      reject(new Error(`${what}: connection error after receiving ${this.total} bytes: ${this.error.message}`));
    } else if (this.ended) {
      this.waiter = null;
      reject(new Error(`${what}: EOF: the hub closed the connection after sending ${this.total} bytes`));
    }
  }

  read(n, what) {
    if (this.waiter) throw new Error('concurrent reads');
    return new Promise((resolve, reject) => {
      this.waiter = { n, what, resolve, reject };
      this.wake();
    });
  }

  // readMessage reads one length-prefixed Noise message.
  async readMessage(what) {
    const len = await this.read(2, what);
    const n = (len[0] << 8) | len[1];
    if (n === 0) throw new Error(`${what}: empty message`);
    return this.read(n, what);
  }
}

function prefixed(msg) {
  if (msg.length > 65535) throw new Error(`message of ${msg.length} bytes is too long`);
  const out = Buffer.alloc(2 + msg.length);
  out.writeUInt16BE(msg.length, 0);
  out.set(msg, 2);
  return out;
}

function write(sock, bytes) {
  return new Promise((resolve, reject) => {
    sock.write(bytes, (err) => (err ? reject(err) : resolve()));
  });
}

// seal pads a frame and encrypts it with noise-c's CipherState.
function seal(cs, frameBytes) {
  const size = SIZES.find((s) => HEADER + frameBytes.length + TAG_SIZE <= s);
  if (size === undefined) throw new Error(`frame of ${frameBytes.length} bytes is too large`);
  const pt = new Uint8Array(size - TAG_SIZE); // zero padding
  pt[0] = 0; // no rekey
  pt[1] = frameBytes.length >> 8;
  pt[2] = frameBytes.length & 0xff;
  pt.set(frameBytes, HEADER);
  const ct = cs.EncryptWithAd(EMPTY, pt);
  if (ct.length !== size) throw new Error(`noise-c produced ${ct.length} bytes of ciphertext, expected ${size}`);
  return ct;
}

// open decrypts a transport message and strips the header and padding.
function open(cs, ct, what) {
  if (!SIZES.includes(ct.length)) {
    throw new Error(`${what}: message of ${ct.length} bytes is not one of the padded sizes ${SIZES.join(', ')}`);
  }
  let pt;
  try {
    pt = cs.DecryptWithAd(EMPTY, ct);
  } catch (e) {
    throw new Error(`${what}: decryption failed (${e.message})`);
  }
  const flags = pt[0];
  if (flags & ~FLAG_REKEY) throw new Error(`${what}: unknown flags 0x${flags.toString(16)}`);
  const n = (pt[1] << 8) | pt[2];
  if (HEADER + n > pt.length) throw new Error(`${what}: frame length ${n} exceeds the message`);
  for (let i = HEADER + n; i < pt.length; i++) {
    if (pt[i] !== 0) throw new Error(`${what}: non-zero padding at byte ${i}`);
  }
  if (flags & FLAG_REKEY) {
    // noise-c.wasm 0.5.0 does not implement CipherState.Rekey; with the hub's
    // default schedule (1000 messages) this never happens in this client's session.
    throw new Error(`${what}: the hub rekeys after this message, which noise-c.wasm cannot do`);
  }
  const text = new TextDecoder('utf-8', { fatal: true }).decode(pt.subarray(HEADER, HEADER + n));
  return JSON.parse(text);
}

async function main() {
  const [host, portText] = process.argv.slice(2);
  if (!host || !portText || process.argv.length !== 4) fail('usage: node client.mjs HOST PORT');
  const port = Number(portText);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) fail(`bad port ${JSON.stringify(portText)}`);
  const local = hexKey('BC_PRIVATE');
  const hubPub = hexKey('BC_HUB_PUBLIC');
  const timeoutMs = Number(process.env.BC_TIMEOUT_MS || 10000);
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) fail('BC_TIMEOUT_MS must be a positive number');

  let stage = 'loading noise-c';
  const timer = setTimeout(() => fail(`timeout after ${timeoutMs} ms while ${stage}`), timeoutMs);

  const noise = await new Promise((resolve) => createNoise(resolve));
  const C = noise.constants;

  stage = `connecting to ${host}:${port}`;
  const sock = net.connect({ host, port });
  sock.setNoDelay(true);
  const reader = new Reader(sock);
  await new Promise((resolve, reject) => {
    sock.once('connect', resolve);
    sock.once('error', reject);
  });

  stage = 'handshaking';
  const hs = noise.HandshakeState(PROTOCOL, C.NOISE_ROLE_INITIATOR);
  hs.Initialize(PROLOGUE, local, hubPub);
  if (hs.GetAction() !== C.NOISE_ACTION_WRITE_MESSAGE) throw new Error('handshake: expected to write message 1');
  const m1 = hs.WriteMessage(); // empty payload
  if (m1.length !== HANDSHAKE_SIZE) throw new Error(`handshake message 1 has ${m1.length} bytes, expected ${HANDSHAKE_SIZE}`);
  await write(sock, prefixed(m1));

  stage = 'waiting for handshake message 2';
  if (hs.GetAction() !== C.NOISE_ACTION_READ_MESSAGE) throw new Error('handshake: expected to read message 2');
  const m2 = await reader.readMessage('handshake message 2 (is this key enrolled with the hub?)');
  if (m2.length !== HANDSHAKE_SIZE) throw new Error(`handshake message 2 has ${m2.length} bytes, expected ${HANDSHAKE_SIZE}`);
  try {
    hs.ReadMessage(m2);
  } catch (e) {
    throw new Error(`handshake message 2 failed authentication (${e.message})`);
  }
  if (hs.GetAction() !== C.NOISE_ACTION_SPLIT) throw new Error(`handshake: expected to split, action ${hs.GetAction()}`);
  const [send, recv] = hs.Split(); // [send, receive]; frees hs

  stage = 'waiting for the welcome frame';
  const welcome = open(recv, await reader.readMessage('welcome'), 'welcome');
  if (welcome.type !== 'welcome' || typeof welcome.welcome !== 'object' || welcome.welcome === null) {
    throw new Error(`expected a welcome frame first, got ${JSON.stringify(welcome)}`);
  }

  stage = 'sending ping';
  const ping = new TextEncoder().encode(JSON.stringify({ type: 'ping', req: 1 }));
  await write(sock, prefixed(seal(send, ping)));

  stage = 'waiting for the reply to ping';
  let reply;
  for (;;) {
    const f = open(recv, await reader.readMessage('reply'), 'reply');
    if (f.req === 1) {
      reply = f;
      break;
    }
    process.stderr.write(`noisec client: skipping unrelated frame of type ${f.type}\n`);
  }

  clearTimeout(timer);
  send.free();
  recv.free();
  sock.end();
  sock.destroy();
  process.stdout.write(JSON.stringify({ welcome: welcome.welcome, reply }) + '\n', () => process.exit(0));
}

process.on('unhandledRejection', (e) => fail(e && e.message ? e.message : String(e)));
main().catch((e) => fail(e && e.message ? e.message : String(e)));
