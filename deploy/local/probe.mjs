#!/usr/bin/env node
// Readiness probes for deploy/local/infra, using only Node's standard library.
//   node probe.mjs mongo <host> <port>   MongoDB wire protocol: OP_MSG {ping: 1, $db: "admin"}, expects ok: 1
//   node probe.mjs http <url>            any HTTP response (S3Proxy answers 403 to an anonymous GET /)
//   node probe.mjs http-ok <url>         a 2xx response (Prometheus' /-/ready answers 503 while starting)
// Exit 0 when ready, 1 otherwise (the reason goes to stderr). Each probe gives up after 5 s.
import net from 'node:net';
import http from 'node:http';

const TIMEOUT_MS = 5000;

function fail(msg) {
  process.stderr.write(`${msg}\n`);
  process.exit(1);
}

// --- minimal BSON: encode {ping: 1, $db: "admin"}; find the "ok" field in a reply -----------------
function cstring(s) {
  return Buffer.concat([Buffer.from(s, 'utf8'), Buffer.from([0])]);
}

function encodePing() {
  const int1 = Buffer.alloc(4);
  int1.writeInt32LE(1);
  const db = cstring('admin');
  const dbLen = Buffer.alloc(4);
  dbLen.writeInt32LE(db.length);
  const body = Buffer.concat([
    Buffer.from([0x10]),
    cstring('ping'),
    int1, // int32 ping: 1
    Buffer.from([0x02]),
    cstring('$db'),
    dbLen,
    db, // string $db: "admin"
    Buffer.from([0x00]),
  ]);
  const len = Buffer.alloc(4);
  len.writeInt32LE(body.length + 4);
  return Buffer.concat([len, body]);
}

function findOk(doc) {
  let i = 4;
  while (i < doc.length - 1) {
    const type = doc[i++];
    const end = doc.indexOf(0, i);
    const name = doc.toString('utf8', i, end);
    i = end + 1;
    let value;
    switch (type) {
      case 0x01:
        value = doc.readDoubleLE(i);
        i += 8;
        break; // double
      case 0x10:
        value = doc.readInt32LE(i);
        i += 4;
        break; // int32
      case 0x12:
        value = Number(doc.readBigInt64LE(i));
        i += 8;
        break; // int64
      case 0x08:
        value = doc[i] ? 1 : 0;
        i += 1;
        break; // bool
      case 0x02:
      case 0x0d:
      case 0x0e:
        i += 4 + doc.readInt32LE(i);
        break; // string-like
      case 0x03:
      case 0x04:
        i += doc.readInt32LE(i);
        break; // document / array
      case 0x05:
        i += 5 + doc.readInt32LE(i);
        break; // binary
      case 0x07:
        i += 12;
        break; // ObjectId
      case 0x09:
      case 0x11:
        i += 8;
        break; // datetime / timestamp
      case 0x0a:
        break; // null
      default:
        return undefined; // not needed for a ping reply
    }
    if (name === 'ok') return value;
  }
  return undefined;
}

function mongoPing(host, port) {
  const doc = encodePing();
  const header = Buffer.alloc(16 + 4 + 1);
  header.writeInt32LE(header.length + doc.length, 0); // messageLength
  header.writeInt32LE(1, 4); // requestID
  header.writeInt32LE(0, 8); // responseTo
  header.writeInt32LE(2013, 12); // opCode OP_MSG
  header.writeUInt32LE(0, 16); // flagBits
  header.writeUInt8(0, 20); // section kind 0 (body)
  const sock = net.createConnection({ host, port: Number(port) });
  sock.setTimeout(TIMEOUT_MS, () => {
    sock.destroy();
    fail(`mongo ${host}:${port}: timeout`);
  });
  sock.on('error', (e) => fail(`mongo ${host}:${port}: ${e.message}`));
  sock.on('connect', () => sock.write(Buffer.concat([header, doc])));
  let buf = Buffer.alloc(0);
  sock.on('data', (chunk) => {
    buf = Buffer.concat([buf, chunk]);
    if (buf.length < 4 || buf.length < buf.readInt32LE(0)) return;
    sock.destroy();
    const opCode = buf.readInt32LE(12);
    if (opCode !== 2013 || buf[20] !== 0) fail(`mongo ${host}:${port}: unexpected reply (opCode ${opCode})`);
    const ok = findOk(buf.subarray(21));
    if (ok === 1) process.exit(0);
    fail(`mongo ${host}:${port}: ping answered ok=${ok}`);
  });
}

function httpAny(url, want2xx = false) {
  const req = http.get(url, { timeout: TIMEOUT_MS }, (res) => {
    res.resume();
    process.stdout.write(`HTTP ${res.statusCode}\n`);
    const ok = !want2xx || (res.statusCode >= 200 && res.statusCode < 300);
    process.exit(ok ? 0 : 1);
  });
  req.on('timeout', () => {
    req.destroy();
    fail(`${url}: timeout`);
  });
  req.on('error', (e) => fail(`${url}: ${e.message}`));
}

const [kind, ...args] = process.argv.slice(2);
if (kind === 'mongo' && args.length === 2) mongoPing(args[0], args[1]);
else if (kind === 'http' && args.length === 1) httpAny(args[0]);
else if (kind === 'http-ok' && args.length === 1) httpAny(args[0], true);
else fail('usage: probe.mjs mongo <host> <port> | probe.mjs http <url> | probe.mjs http-ok <url>');
