// Reads an Iceberg table with icebird (an independent JavaScript reader) over a loopback
// HTTP server that this script runs itself, and prints the rows as JSON lines.
//
//   node icebird_read.mjs <dir> <port> <table path under dir> <metadata file name>
//
// The server serves <dir> on http://127.0.0.1:<port>/ with HEAD and single byte ranges
// (what hyparquet asks for). BigInt values are printed as strings, byte arrays as hex.
// A table of a local lake (<table path> absolute, under <dir>): its metadata names files by
// absolute paths, so the server serves absolute paths under <dir> and those names are
// fetched from it (a wrapper of fetch, which icebird and hyparquet call, prefixes them).
// Exit status 1 with the error on stderr when icebird fails.
import { createServer } from 'node:http'
import { open, stat } from 'node:fs/promises'
import { join, normalize } from 'node:path'
import { createRequire } from 'node:module'

const [dir, portText, tablePath, metadataFileName] = process.argv.slice(2)
const require = createRequire(import.meta.url)
const modules = process.env.ATOLL_NODE_MODULES
const { icebergRead } = await import(join(modules, 'icebird', 'src', 'index.js'))
const absolute = tablePath.startsWith('/')
const origin = `http://127.0.0.1:${portText}`
if (absolute) {
  const plainFetch = globalThis.fetch
  globalThis.fetch = (url, init) => {
    let u = typeof url === 'string' ? url : url.toString()
    if (u.startsWith('file://')) u = u.slice('file://'.length)
    return plainFetch(u.startsWith('/') ? origin + u : u, init)
  }
}

async function serve(req, res) {
  const path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname))
  if (path.includes('..')) { res.writeHead(400).end(); return }
  const file = absolute ? path : join(dir, path)
  if (absolute && !file.startsWith(dir + '/')) { res.writeHead(403).end(); return }
  let info
  try { info = await stat(file) } catch { res.writeHead(404).end(); return }
  let start = 0, end = info.size - 1, status = 200
  const range = /^bytes=(\d*)-(\d*)$/.exec(req.headers.range ?? '')
  if (range) {
    if (range[1] === '') { start = Math.max(0, info.size - Number(range[2])) }
    else { start = Number(range[1]); if (range[2] !== '') end = Math.min(end, Number(range[2])) }
    status = 206
  }
  const length = Math.max(0, end - start + 1)
  const headers = { 'content-length': length, 'accept-ranges': 'bytes' }
  if (status === 206) headers['content-range'] = `bytes ${start}-${end}/${info.size}`
  res.writeHead(status, headers)
  if (req.method === 'HEAD' || length === 0) { res.end(); return }
  const fh = await open(file)
  const buf = Buffer.alloc(length)
  await fh.read(buf, 0, length, start)
  await fh.close()
  res.end(buf)
}

// icebird starts reading the delete files before it reads the data files and awaits them
// later: a failure there is an unhandled rejection, reported like any other failure.
process.on('unhandledRejection', err => {
  process.stderr.write(`icebird: ${err?.stack ?? err}\n`)
  process.exit(1)
})

const server = createServer((req, res) => { serve(req, res).catch(() => res.writeHead(500).end()) })
await new Promise(resolve => server.listen(Number(portText), '127.0.0.1', resolve))
try {
  const rows = await icebergRead({
    tableUrl: absolute ? origin + tablePath : `${origin}/${tablePath}`,
    metadataFileName,
  })
  const text = v => {
    if (typeof v === 'bigint') return v.toString()
    if (v instanceof Uint8Array) return Buffer.from(v).toString('hex')
    if (v instanceof Date) return v.toISOString()
    return v
  }
  for (const row of rows) {
    const out = {}
    for (const [k, v] of Object.entries(row)) out[k] = text(v)
    process.stdout.write(JSON.stringify(out) + '\n')
  }
} catch (err) {
  process.stderr.write(`icebird: ${err.stack ?? err}\n`)
  process.exitCode = 1
} finally {
  server.close()
}
