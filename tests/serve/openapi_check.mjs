// Validates responses of the REST catalog against rest-catalog-open-api.yaml: the
// operation is found by method and path (the spec's paths without {prefix}), the response
// by status code, and a JSON body must validate (ajv, JSON Schema 2020-12, $refs resolved
// into the spec's components). A status the operation does not list is an error too.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { createRequire } from 'node:module'

export function openApiChecker (modules, specPath) {
  const require = createRequire(join(modules, 'noop.js'))
  const Ajv2020 = require('ajv/dist/2020').default
  const addFormats = require('ajv-formats')
  const yaml = require('js-yaml')
  const spec = yaml.load(readFileSync(specPath, 'utf8'))
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true })
  addFormats(ajv)
  for (const f of ['int32', 'int64', 'float', 'double']) ajv.addFormat(f, true)
  ajv.addSchema(spec, 'spec')
  const routes = []
  for (const [template, ops] of Object.entries(spec.paths)) {
    const path = template.replace('/{prefix}', '')
    const parts = path.split('/').slice(1)
    const literals = parts.filter(p => !p.startsWith('{')).length
    const regex = new RegExp('^/' + parts.map(p => p.startsWith('{') ? '[^/]+' : p).join('/') + '$')
    routes.push({ template, regex, literals, ops })
  }
  routes.sort((a, b) => b.literals - a.literals)
  const validators = new Map()
  const escape = s => s.replace(/~/g, '~0').replace(/\//g, '~1')

  // Returns a list of problems ([] when the response conforms).
  return function check (method, urlPath, status, contentType, text) {
    const path = urlPath.replace(/^\/iceberg/, '').split('?')[0]
    const route = routes.find(r => r.regex.test(path))
    if (!route) return [`no operation in the spec for ${path}`]
    const op = route.ops[method.toLowerCase()]
    if (!op) return [`no ${method} operation for ${route.template}`]
    const key = String(status)
    let response = op.responses[key] ?? op.responses[key[0] + 'XX']
    let pointer = `#/paths/${escape(route.template)}/${method.toLowerCase()}/responses/${escape(op.responses[key] ? key : key[0] + 'XX')}`
    if (!response) return [`${method} ${route.template} does not list status ${status}`]
    if (response.$ref) {
      pointer = response.$ref
      response = response.$ref.split('/').slice(1).reduce((o, k) => o[k.replace(/~1/g, '/').replace(/~0/g, '~')], spec)
    }
    const content = response.content?.['application/json']
    if (method === 'HEAD') return text === '' ? [] : [`HEAD ${path} has a body`]
    if (!content) {
      return text === '' ? [] : [`${method} ${route.template} ${status} should have no body, got ${text.slice(0, 200)}`]
    }
    if (!(contentType ?? '').includes('application/json')) return [`${status} is not JSON (${contentType})`]
    let body
    try { body = JSON.parse(text) } catch (e) { return [`${status} body is not JSON: ${text.slice(0, 200)}`] }
    let ref = `spec${pointer}/content/application~1json/schema`
    // Erratum of the document: some view errors name the bare ErrorModel as their schema,
    // while their own examples (NoSuchViewError, ViewAlreadyExistsError) and every other
    // error carry it wrapped as {"error": ErrorModel}, which clients parse. The wrapped form
    // is required here.
    if (content.schema?.$ref === '#/components/schemas/ErrorModel') ref = 'spec#/components/schemas/IcebergErrorResponse'

    let validate = validators.get(ref)
    if (!validate) {
      validate = ajv.compile({ $ref: ref })
      validators.set(ref, validate)
    }
    if (validate(body)) return []
    return validate.errors.map(e => `${method} ${path} ${status}: ${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`)
  }
}
