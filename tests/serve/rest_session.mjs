// A scripted session against `atoll serve` (started by serve_client_test.cc): the real
// client iceberg-js drives namespaces and tables, raw requests cover what it does not
// (errors, staged creates, transactions, OAuth, path tricks), icebird reads the rows of a
// table whose metadata came through the server, and every response of the session is
// checked against the OpenAPI document (openapi_check.mjs).
//
// Environment: ATOLL_NODE_MODULES, ATOLL_SPEC (rest-catalog-open-api.yaml), ATOLL_REST_URI
// (http://127.0.0.1:PORT/iceberg), ATOLL_TOKEN_WRITE (token "alice"), ATOLL_TOKEN_READ,
// ATOLL_TOKEN_SHOP (write, confined to stg.shop), ATOLL_MAX_BODY (the server's limit),
// ATOLL_LAKE (the lake's folder, whose files icebird reads over a local HTTP server).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { createServer, request as httpRequest } from 'node:http'
import { readFile } from 'node:fs/promises'
import { openApiChecker } from './openapi_check.mjs'

const env = process.env
const modules = env.ATOLL_NODE_MODULES
const base = env.ATOLL_REST_URI
const { IcebergRestCatalog, IcebergError } = await import(join(modules, 'iceberg-js', 'dist', 'index.mjs'))
const check = openApiChecker(modules, env.ATOLL_SPEC)

// Every response the session sees, checked.
const problems = []
let responses = 0
const plainFetch = globalThis.fetch
globalThis.fetch = async (url, init = {}) => {
  const res = await plainFetch(url, init)
  const text = await res.clone().text()
  const method = init.method ?? 'GET'
  const u = new URL(url)
  if (u.pathname.startsWith('/iceberg/') && !u.pathname.endsWith('/oauth/tokens') && res.status !== 413) {
    responses++
    problems.push(...check(method, u.pathname, res.status, res.headers.get('content-type'), text))
  }
  return res
}

const catalog = (token) => new IcebergRestCatalog({ baseUrl: base, auth: { type: 'bearer', token } })
const alice = catalog(env.ATOLL_TOKEN_WRITE)
const reader = catalog(env.ATOLL_TOKEN_READ)
const shop = catalog(env.ATOLL_TOKEN_SHOP)

async function call (method, path, token, body, headers = {}) {
  const h = { ...headers }
  if (token) h.Authorization = `Bearer ${token}`
  if (body !== undefined) h['Content-Type'] = 'application/json'
  const res = await fetch(base + path, { method, headers: h, body: body === undefined ? undefined : (typeof body === 'string' ? body : JSON.stringify(body)) })
  const text = await res.text()
  let json
  try { json = text ? JSON.parse(text) : undefined } catch { json = text }
  return { status: res.status, json, headers: res.headers }
}

// A GET whose path goes out exactly as written (fetch's URL parser would resolve '..').
function rawGet (path, token) {
  const url = new URL(base)
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: url.hostname, port: url.port, path: url.pathname + path, headers: { Authorization: `Bearer ${token}` } }, (res) => {
      let text = ''
      res.on('data', (d) => { text += d })
      res.on('end', () => {
        responses++
        problems.push(...check('GET', url.pathname + path, res.statusCode, res.headers['content-type'], text))
        resolve({ status: res.statusCode, json: text ? JSON.parse(text) : undefined })
      })
    })
    req.on('error', reject)
    req.end()
  })
}

async function rejects (promise, status, type) {
  await assert.rejects(promise, (e) => {
    assert.ok(e instanceof IcebergError, String(e))
    assert.equal(e.status, status, e.message)
    if (type) assert.equal(e.icebergType, type)
    return true
  })
}

const schema = {
  type: 'struct',
  'schema-id': 0,
  fields: [
    { id: 1, name: 'id', type: 'long', required: true },
    { id: 2, name: 'at', type: 'timestamptz', required: false },
    { id: 3, name: 'note', type: 'string', required: false }
  ]
}
const web = { namespace: ['stg', 'web'] }
const events = { namespace: ['stg', 'web'], name: 'events' }

test('config lists the endpoints', async () => {
  const r = await call('GET', '/v1/config', env.ATOLL_TOKEN_READ)
  assert.equal(r.status, 200)
  assert.ok(r.json.endpoints.includes('POST /v1/{prefix}/namespaces/{namespace}/tables/{table}'))
})

test('every endpoint answers 401 without a valid token', async () => {
  const endpoints = [
    ['GET', '/v1/config'], ['GET', '/v1/namespaces'], ['POST', '/v1/namespaces'],
    ['GET', '/v1/namespaces/stg%1Fsales'], ['HEAD', '/v1/namespaces/stg%1Fsales'],
    ['DELETE', '/v1/namespaces/stg%1Fsales'], ['POST', '/v1/namespaces/stg%1Fsales/properties'],
    ['GET', '/v1/namespaces/stg%1Fsales/tables'], ['POST', '/v1/namespaces/stg%1Fsales/tables'],
    ['GET', '/v1/namespaces/stg%1Fsales/tables/items'], ['HEAD', '/v1/namespaces/stg%1Fsales/tables/items'],
    ['POST', '/v1/namespaces/stg%1Fsales/tables/items'], ['DELETE', '/v1/namespaces/stg%1Fsales/tables/items'],
    ['POST', '/v1/namespaces/stg%1Fsales/register'], ['POST', '/v1/namespaces/stg%1Fsales/tables/items/metrics'],
    ['POST', '/v1/tables/rename'], ['POST', '/v1/transactions/commit']
  ]
  for (const token of [undefined, 'atl_' + '0'.repeat(64)]) {
    for (const [method, path] of endpoints) {
      const r = await call(method, path, token, method === 'POST' ? {} : undefined)
      assert.equal(r.status, 401, `${method} ${path}`)
      if (method !== 'HEAD') assert.equal(r.json.error.type, 'NotAuthorizedException')
    }
  }
  // Nothing changed: the table ingested before is still there.
  assert.equal(await reader.tableExists({ namespace: ['stg', 'sales'], name: 'items' }), true)
})

test('oauth client credentials give a usable token; a wrong secret is 401', async () => {
  const form = (id, secret) => `grant_type=client_credentials&client_id=${id}&client_secret=${secret}&scope=catalog`
  const ok = await call('POST', '/v1/oauth/tokens', undefined, form('alice', env.ATOLL_TOKEN_WRITE), { 'Content-Type': 'application/x-www-form-urlencoded' })
  assert.equal(ok.status, 200)
  assert.equal(ok.json.token_type, 'bearer')
  check('POST', '/iceberg/v1/oauth/tokens', 200, 'application/json', JSON.stringify(ok.json)).forEach(p => problems.push(p))
  const listed = await catalog(ok.json.access_token).listNamespaces()
  assert.ok(listed.namespaces.some(n => n.namespace.join('.') === 'stg'))
  const bad = await call('POST', '/v1/oauth/tokens', undefined, form('alice', env.ATOLL_TOKEN_READ), { 'Content-Type': 'application/x-www-form-urlencoded' })
  assert.equal(bad.status, 401)
  assert.equal(bad.json.error, 'invalid_client')
})

test('namespaces: create, list with parent and paging, load, exists, properties, drop', async () => {
  await alice.createNamespace(web, { properties: { owner: 'web team' } })
  await rejects(alice.createNamespace(web), 409, 'AlreadyExistsException')
  await alice.createNamespace({ namespace: ['stg', 'tmpns'] })
  const under = await reader.listNamespaces({ parent: { namespace: ['stg'] } })
  const names = under.namespaces.map(n => n.namespace.join('.'))
  for (const n of ['stg.sales', 'stg.web', 'stg.tmpns']) assert.ok(names.includes(n), names.join(','))
  const page1 = await reader.listNamespaces({ parent: { namespace: ['stg'] }, pageSize: 2 })
  assert.equal(page1.namespaces.length, 2)
  assert.ok(page1.nextPageToken)
  const page2 = await reader.listNamespaces({ parent: { namespace: ['stg'] }, pageSize: 2, pageToken: page1.nextPageToken })
  assert.deepEqual([...page1.namespaces, ...page2.namespaces].map(n => n.namespace.join('.')).sort(), names.sort())
  assert.deepEqual((await reader.loadNamespaceMetadata(web)).properties, { owner: 'web team' })
  assert.equal(await reader.namespaceExists(web), true)
  assert.equal(await reader.namespaceExists({ namespace: ['stg', 'nope'] }), false)
  const upd = await alice.updateNamespaceProperties(web, { updates: { tier: 'gold' }, removals: ['owner', 'missing'] })
  assert.deepEqual(upd.updated, ['tier'])
  assert.deepEqual(upd.removed, ['owner'])
  assert.deepEqual(upd.missing, ['missing'])
  assert.deepEqual((await reader.loadNamespaceMetadata(web)).properties, { tier: 'gold' })
  await alice.dropNamespace({ namespace: ['stg', 'tmpns'] })
  assert.equal(await reader.namespaceExists({ namespace: ['stg', 'tmpns'] }), false)
  await rejects(reader.loadNamespaceMetadata({ namespace: ['stg', 'tmpns'] }), 404, 'NoSuchNamespaceException')
})

test('tables: create, list, load with ETag, commit, 409 on a failed requirement', async () => {
  const created = await alice.createTableResult(web, {
    name: 'events', schema,
    'partition-spec': { 'spec-id': 0, fields: [{ 'source-id': 2, transform: 'day', name: 'at_day' }] },
    properties: { owner: 'web' }
  })
  assert.ok(created['metadata-location'])
  assert.equal(created.metadata.properties.owner, 'web')
  await rejects(alice.createTable(web, { name: 'events', schema }), 409, 'AlreadyExistsException')
  const listed = await reader.listTables(web)
  assert.deepEqual(listed.identifiers, [{ namespace: ['stg', 'web'], name: 'events' }])
  const loaded = await reader.loadTableResult(events)
  assert.ok(loaded.etag)
  assert.equal(await reader.loadTableResult(events, { ifNoneMatch: loaded.etag }), null)
  const uuid = loaded.metadata['table-uuid']
  const committed = await alice.updateTable(events, {
    requirements: [{ type: 'assert-table-uuid', uuid }, { type: 'assert-current-schema-id', 'current-schema-id': 0 }],
    updates: [{ action: 'set-properties', updates: { 'comment': 'clicks' } }]
  })
  assert.equal(committed.metadata.properties.comment, 'clicks')
  assert.notEqual(committed['metadata-location'], loaded['metadata-location'])
  // The ETag changed with the commit.
  const again = await reader.loadTableResult(events, { ifNoneMatch: loaded.etag })
  assert.ok(again && again.etag !== loaded.etag)
  await rejects(alice.updateTable(events, {
    requirements: [{ type: 'assert-table-uuid', uuid: '00000000-0000-4000-8000-000000000000' }],
    updates: [{ action: 'set-properties', updates: { lost: 'yes' } }]
  }), 409, 'CommitFailedException')
  assert.equal((await reader.loadTable(events)).properties.lost, undefined)
  assert.equal(await reader.tableExists(events), true)
  assert.equal(await reader.tableExists({ namespace: ['stg', 'web'], name: 'nope' }), false)
  await rejects(reader.loadTable({ namespace: ['stg', 'web'], name: 'nope' }), 404, 'NoSuchTableException')
  const refs = await call('GET', '/v1/namespaces/stg%1Fsales/tables/items?snapshots=refs', env.ATOLL_TOKEN_READ)
  assert.equal(refs.status, 200)
  assert.ok(refs.json.metadata.snapshots.length >= 1)
})

test('a table ingested by atoll is listed and loaded with its snapshot', async () => {
  const listed = await reader.listTables({ namespace: ['stg', 'sales'] })
  assert.deepEqual(listed.identifiers.map(i => i.name), ['items'])
  const md = await reader.loadTable({ namespace: ['stg', 'sales'], name: 'items' })
  assert.ok(md['current-snapshot-id'] > 0)
  const snap = md.snapshots.find(s => s['snapshot-id'] === md['current-snapshot-id'])
  assert.equal(snap.summary['added-records'], '3')
})

test('icebird reads the ingested table from metadata loaded through the server', async () => {
  const { icebergRead } = await import(join(modules, 'icebird', 'src', 'index.js'))
  const loaded = await reader.loadTableResult({ namespace: ['stg', 'sales'], name: 'items' })
  // The metadata names files by absolute paths in the lake: serve them (with byte ranges,
  // which hyparquet asks for) and point icebird's fetches at that server.
  const lake = env.ATOLL_LAKE
  const files = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname)
    if (!path.startsWith(lake + '/') || path.includes('..')) { res.writeHead(403).end(); return }
    let data
    try { data = await readFile(path) } catch { res.writeHead(404).end(); return }
    const range = /^bytes=(\d*)-(\d*)$/.exec(req.headers.range ?? '')
    let start = 0, end = data.length - 1
    if (range && range[1] === '') start = Math.max(0, data.length - Number(range[2]))
    else if (range) { start = Number(range[1]); if (range[2] !== '') end = Math.min(end, Number(range[2])) }
    const headers = { 'content-length': Math.max(0, end - start + 1), 'accept-ranges': 'bytes' }
    if (range) headers['content-range'] = `bytes ${start}-${end}/${data.length}`
    res.writeHead(range ? 206 : 200, headers)
    res.end(req.method === 'HEAD' ? undefined : data.subarray(start, end + 1))
  })
  await new Promise(resolve => files.listen(0, '127.0.0.1', resolve))
  const origin = `http://127.0.0.1:${files.address().port}`
  const catalogFetch = globalThis.fetch
  globalThis.fetch = (url, init) => {
    let u = typeof url === 'string' ? url : url.toString()
    if (u.startsWith('file://')) u = u.slice('file://'.length)
    return catalogFetch(u.startsWith('/') ? origin + u : u, init)
  }
  try {
    const rows = await icebergRead({ tableUrl: origin + loaded.metadata.location, metadata: loaded.metadata })
    assert.deepEqual(rows.map(r => [Number(r.id), r.name]).sort(), [[1, 'a'], [2, 'b'], [3, 'c']])
  } finally {
    globalThis.fetch = catalogFetch
    files.close()
  }
})

test('staged create, then its commit with assert-create, makes the table', async () => {
  const staged = await call('POST', '/v1/namespaces/stg%1Fweb/tables', env.ATOLL_TOKEN_WRITE, { name: 'staged', schema, 'stage-create': true })
  assert.equal(staged.status, 200)
  assert.equal(staged.json['metadata-location'], undefined)
  assert.equal(await reader.tableExists({ namespace: ['stg', 'web'], name: 'staged' }), false)
  const md = staged.json.metadata
  const commit = await call('POST', '/v1/namespaces/stg%1Fweb/tables/staged', env.ATOLL_TOKEN_WRITE, {
    requirements: [{ type: 'assert-create' }],
    updates: [
      { action: 'assign-uuid', uuid: md['table-uuid'] },
      { action: 'upgrade-format-version', 'format-version': 2 },
      { action: 'add-schema', schema: md.schemas[0], 'last-column-id': md['last-column-id'] },
      { action: 'set-current-schema', 'schema-id': -1 },
      { action: 'add-spec', spec: md['partition-specs'][0] },
      { action: 'set-default-spec', 'spec-id': -1 },
      { action: 'add-sort-order', 'sort-order': md['sort-orders'][0] },
      { action: 'set-default-sort-order', 'sort-order-id': -1 },
      { action: 'set-location', location: md.location },
      { action: 'set-properties', updates: { staged: 'true' } }
    ]
  })
  assert.equal(commit.status, 200, JSON.stringify(commit.json))
  assert.equal(commit.json.metadata['table-uuid'], md['table-uuid'])
  const loaded = await reader.loadTable({ namespace: ['stg', 'web'], name: 'staged' })
  assert.equal(loaded.properties.staged, 'true')
  const twice = await call('POST', '/v1/namespaces/stg%1Fweb/tables/staged', env.ATOLL_TOKEN_WRITE, { requirements: [{ type: 'assert-create' }], updates: [] })
  assert.equal(twice.status, 409)
})

test('read tokens, namespaced tokens and read-only zones get 403; nothing changes', async () => {
  await rejects(reader.createNamespace({ namespace: ['stg', 'x'] }), 403, 'ForbiddenException')
  await rejects(reader.createTable(web, { name: 'x', schema }), 403, 'ForbiddenException')
  await rejects(reader.updateTable(events, { requirements: [], updates: [{ action: 'set-properties', updates: { x: 'y' } }] }), 403)
  await rejects(reader.dropTable(events), 403)
  await rejects(shop.createTable(web, { name: 'x', schema }), 403, 'ForbiddenException')
  await rejects(shop.loadTable(events), 403)
  await shop.createNamespace({ namespace: ['stg', 'shop'] })
  await shop.createTable({ namespace: ['stg', 'shop'] }, { name: 'orders', schema })
  await rejects(alice.createNamespace({ namespace: ['trail', 'mine'] }), 403, 'ForbiddenException')
  await rejects(alice.createTable({ namespace: ['log', 'atoll'] }, { name: 'x', schema }), 403)
  assert.equal(await reader.tableExists({ namespace: ['stg', 'web'], name: 'x' }), false)
  assert.equal(await reader.namespaceExists({ namespace: ['stg', 'x'] }), false)
  assert.equal((await reader.loadTable(events)).properties.x, undefined)
})

test('path tricks, overlong names and bad bodies are 400; oversized bodies 413', async () => {
  for (const path of ['/v1/namespaces/stg%1F..', '/v1/namespaces/stg%1F../tables', '/v1/namespaces/stg%2Fweb/tables',
    '/v1/namespaces/stg%1Fweb/tables/..', '/v1/namespaces/stg%1Fweb/tables/%2E%2E', '/v1/namespaces/stg%1Fweb/tables/a%2Fb', '/v1/namespaces/stg%1Fweb/tables/' + 'n'.repeat(300)]) {
    const r = await rawGet(path, env.ATOLL_TOKEN_WRITE)
    assert.equal(r.status, 400, path)
    assert.equal(r.json.error.type, 'BadRequestException')
  }
  const r = await call('POST', '/v1/namespaces', env.ATOLL_TOKEN_WRITE, '{not json')
  assert.equal(r.status, 400)
  const typed = await call('POST', '/v1/namespaces/stg%1Fweb/tables', env.ATOLL_TOKEN_WRITE, { name: 'typed', schema: 'nope' })
  assert.equal(typed.status, 400)
  const big = await call('POST', '/v1/namespaces', env.ATOLL_TOKEN_WRITE, JSON.stringify({ namespace: ['stg', 'big'], properties: { x: 'y'.repeat(Number(env.ATOLL_MAX_BODY) + 10) } }))
  assert.equal(big.status, 413)
  assert.equal(await reader.namespaceExists({ namespace: ['stg', 'big'] }), false)
  assert.equal((await call('GET', '/v1/config', env.ATOLL_TOKEN_READ)).status, 200)
})

test('16 concurrent clients commit to one table: each succeeds or gets 409 and retries', async () => {
  let conflicts = 0
  const client = async (i) => {
    const me = catalog(env.ATOLL_TOKEN_WRITE)
    for (;;) {
      const md = await me.loadTable(events)
      const current = md.schemas.find(s => s['schema-id'] === md['current-schema-id'])
      const last = md['last-column-id']
      try {
        await me.updateTable(events, {
          requirements: [{ type: 'assert-last-assigned-field-id', 'last-assigned-field-id': last },
            { type: 'assert-current-schema-id', 'current-schema-id': md['current-schema-id'] }],
          updates: [
            { action: 'add-schema', schema: { ...current, fields: [...current.fields, { id: last + 1, name: `c${i}`, type: 'int', required: false }] }, 'last-column-id': last + 1 },
            { action: 'set-current-schema', 'schema-id': -1 }
          ]
        })
        return
      } catch (e) {
        if (!(e instanceof IcebergError) || e.status !== 409) throw e
        assert.equal(e.icebergType, 'CommitFailedException')
        conflicts++
      }
    }
  }
  await Promise.all(Array.from({ length: 16 }, (_, i) => client(i)))
  const md = await reader.loadTable(events)
  const cols = md.schemas.find(s => s['schema-id'] === md['current-schema-id']).fields.map(f => f.name)
  for (let i = 0; i < 16; i++) assert.equal(cols.filter(c => c === `c${i}`).length, 1, `c${i} in ${cols}`)
  console.log(`concurrent commits: 16 succeeded after ${conflicts} conflicts (409)`)
})

test('rename, drop with purge, metrics, transactions', async () => {
  await alice.createTable(web, { name: 'old', schema })
  await alice.renameTable({ source: { namespace: ['stg', 'web'], name: 'old' }, destination: { namespace: ['stg', 'web'], name: 'renamed' } })
  assert.equal(await reader.tableExists({ namespace: ['stg', 'web'], name: 'old' }), false)
  assert.equal(await reader.tableExists({ namespace: ['stg', 'web'], name: 'renamed' }), true)
  await rejects(alice.renameTable({ source: { namespace: ['stg', 'web'], name: 'old' }, destination: { namespace: ['stg', 'web'], name: 'x' } }), 404, 'NoSuchTableException')
  await alice.createTable(web, { name: 'doomed', schema })
  await alice.updateTable({ namespace: ['stg', 'web'], name: 'doomed' }, { requirements: [], updates: [{ action: 'set-properties', updates: { a: 'b' } }] })
  await alice.dropTable({ namespace: ['stg', 'web'], name: 'doomed' }, { purge: true })
  assert.equal(await reader.tableExists({ namespace: ['stg', 'web'], name: 'doomed' }), false)
  await rejects(alice.dropTable({ namespace: ['stg', 'web'], name: 'doomed' }), 404, 'NoSuchTableException')
  const m = await call('POST', '/v1/namespaces/stg%1Fweb/tables/events/metrics', env.ATOLL_TOKEN_READ, { 'report-type': 'commit-report' })
  assert.equal(m.status, 204)
  const change = (name, value) => ({ identifier: { namespace: ['stg', 'web'], name }, requirements: [], updates: [{ action: 'set-properties', updates: { tx: value } }] })
  const two = await call('POST', '/v1/transactions/commit', env.ATOLL_TOKEN_WRITE, { 'table-changes': [change('events', '1'), change('staged', '1')] })
  assert.equal(two.status, 400)
  assert.match(two.json.error.message, /one table at a time/)
  assert.equal((await reader.loadTable(events)).properties.tx, undefined)
  const one = await call('POST', '/v1/transactions/commit', env.ATOLL_TOKEN_WRITE, { 'table-changes': [change('events', '2')] })
  assert.equal(one.status, 204)
  assert.equal((await reader.loadTable(events)).properties.tx, '2')
})

test('views: create, list, load, replace, rename, drop', async () => {
  const viewSchema = { type: 'struct', 'schema-id': 0, fields: [{ id: 1, name: 'n', type: 'long', required: false }] }
  const version = (sql) => ({
    'version-id': 1, 'timestamp-ms': Date.now(), 'schema-id': 0, summary: { 'engine-name': 'test' },
    representations: [{ type: 'sql', sql, dialect: 'duckdb' }], 'default-namespace': ['stg', 'web']
  })
  const path = '/v1/namespaces/stg%1Fweb/views'
  const created = await call('POST', path, env.ATOLL_TOKEN_WRITE, { name: 'counts', schema: viewSchema, 'view-version': version('SELECT count(*) AS n FROM stg.web.events'), properties: {} })
  assert.equal(created.status, 200, JSON.stringify(created.json))
  assert.equal(created.json.metadata['current-version-id'], 1)
  assert.equal((await call('POST', path, env.ATOLL_TOKEN_WRITE, { name: 'counts', schema: viewSchema, 'view-version': version('SELECT 1 AS n') })).status, 409)
  assert.equal((await call('POST', path, env.ATOLL_TOKEN_WRITE, { name: 'events', schema: viewSchema, 'view-version': version('SELECT 1 AS n') })).status, 409)
  assert.equal((await call('POST', path, env.ATOLL_TOKEN_READ, { name: 'other', schema: viewSchema, 'view-version': version('SELECT 1 AS n') })).status, 403)
  const listed = await call('GET', path, env.ATOLL_TOKEN_READ)
  assert.deepEqual(listed.json.identifiers, [{ namespace: ['stg', 'web'], name: 'counts' }])
  const loaded = await call('GET', path + '/counts', env.ATOLL_TOKEN_READ)
  assert.equal(loaded.status, 200)
  assert.equal((await call('HEAD', path + '/counts', env.ATOLL_TOKEN_READ)).status, 204)
  const uuid = loaded.json.metadata['view-uuid']
  const replaced = await call('POST', path + '/counts', env.ATOLL_TOKEN_WRITE, {
    requirements: [{ type: 'assert-view-uuid', uuid }],
    updates: [{ action: 'add-schema', schema: viewSchema }, { action: 'add-view-version', 'view-version': { ...version('SELECT 42 AS n'), 'schema-id': -1 } },
      { action: 'set-current-view-version', 'view-version-id': -1 }, { action: 'set-properties', updates: { owner: 'web' } }]
  })
  assert.equal(replaced.status, 200, JSON.stringify(replaced.json))
  assert.equal(replaced.json.metadata['current-version-id'], 2)
  assert.equal(replaced.json.metadata.properties.owner, 'web')
  const stale = await call('POST', path + '/counts', env.ATOLL_TOKEN_WRITE, { requirements: [{ type: 'assert-view-uuid', uuid: '00000000-0000-4000-8000-000000000000' }], updates: [] })
  assert.equal(stale.status, 409)
  assert.equal(stale.json.error.type, 'CommitFailedException')
  const renamed = await call('POST', '/v1/views/rename', env.ATOLL_TOKEN_WRITE, { source: { namespace: ['stg', 'web'], name: 'counts' }, destination: { namespace: ['stg', 'web'], name: 'tally' } })
  assert.equal(renamed.status, 204)
  const gone = await call('GET', path + '/counts', env.ATOLL_TOKEN_READ)
  assert.equal(gone.status, 404)
  assert.equal(gone.json.error.type, 'NoSuchViewException')
  assert.equal((await call('GET', path + '/tally', env.ATOLL_TOKEN_READ)).json.metadata['current-version-id'], 2)
  await call('POST', path, env.ATOLL_TOKEN_WRITE, { name: 'temp', schema: viewSchema, 'view-version': version('SELECT 7 AS n') })
  assert.equal((await call('DELETE', path + '/temp', env.ATOLL_TOKEN_WRITE)).status, 204)
  assert.equal((await call('DELETE', path + '/temp', env.ATOLL_TOKEN_WRITE)).status, 404)
})

test('every response of the session conforms to the OpenAPI document', () => {
  assert.ok(responses > 100, `only ${responses} responses`)
  assert.deepEqual(problems, [])
})
