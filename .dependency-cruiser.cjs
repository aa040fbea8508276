/**
 * Tenet's layers, bottom to top; a module may import only from its own layer or the layers below it
 * (docs/architecture.md draws them). Tests and test helpers are outside the rule.
 *
 *   kernel    engine/kernel   config, errors, logging, metrics, version: imports nothing of Tenet
 *   scanner   engine/scanner  the PII scanner library (pure): the kernel only
 *   db        engine/db       PostgreSQL (embedded or server), migrations: kernel, scanner (to redact error text)
 *   authz     engine/authz    Cedar policies, entities, the PDP, the decision log, API keys, the access review
 *   controls  controls/       control definitions, the catalogue, collectors, inventory
 *   ledger    evidence/ledger the evidence chain, checkpoints, signing keys
 *   incidents engine/incidents the incident register: clocks, checklist, notifications, evidence preservation
 *   posture   engine/posture  control runs, exceptions, readiness, posture history, the scheduler
 *   programmes evidence/programmes  compliance programmes (Amazon DPP, Google/CASA, the Addendum) and their scorecards
 *   packs     evidence/packs  review packs: build, render, verify
 *   http      engine/http     routes and the request pipeline
 *   demo      engine/demo     the demo environment (loaded by `serve --demo` only)
 *   main      engine/main     the composition root: server, CLI, wiring; may import everything
 *
 *   client    engine/client   the client app services ship (`@tenet/client`): imports nothing of Tenet, only the
 *                             API types generated from the OpenAPI document; nothing of Tenet imports it
 */
const layers = [
  ['kernel', '^engine/kernel/'],
  ['scanner', '^engine/scanner/'],
  ['db', '^engine/db/'],
  ['authz', '^engine/authz/'],
  ['controls', '^controls/'],
  ['ledger', '^evidence/ledger/'],
  ['incidents', '^engine/incidents/'],
  ['posture', '^engine/posture/'],
  ['programmes', '^evidence/programmes/'],
  ['packs', '^evidence/packs/'],
  ['http', '^engine/http/'],
  ['demo', '^engine/demo/'],
  ['main', '^engine/(main|bin)/'],
  ['client', '^engine/client/'],
];
// Which lower layers each layer may use (its own is always allowed). Domains that do not need each other stay apart.
const allowed = {
  kernel: [],
  scanner: ['kernel'],
  db: ['kernel', 'scanner'],
  authz: ['kernel', 'scanner', 'db'],
  controls: ['kernel', 'scanner'],
  ledger: ['kernel', 'db'],
  incidents: ['kernel', 'scanner', 'db', 'authz', 'controls', 'ledger'],
  posture: ['kernel', 'scanner', 'db', 'authz', 'controls', 'ledger', 'incidents'],
  programmes: ['kernel', 'scanner', 'db', 'authz', 'controls', 'ledger', 'incidents', 'posture'],
  packs: ['kernel', 'scanner', 'db', 'authz', 'controls', 'ledger', 'incidents', 'posture', 'programmes'],
  http: ['kernel', 'scanner', 'db', 'authz', 'controls', 'ledger', 'incidents', 'posture', 'programmes', 'packs'],
  demo: ['kernel', 'scanner', 'db', 'authz', 'controls', 'ledger', 'incidents', 'posture'],
  main: layers.map(([name]) => name).filter((name) => name !== 'client'),
  client: [],
};
const pathOf = Object.fromEntries(layers);
const tests = '(\\.test\\.tsx?$|^test/)';

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'An import cycle: the modules in it cannot be understood, tested or loaded one without the other.',
      from: { pathNot: tests },
      to: { circular: true },
    },
    {
      name: 'production-imports-tests',
      severity: 'error',
      comment: 'Production code imports test code.',
      from: { pathNot: tests },
      to: { path: tests },
    },
    {
      name: 'outside-the-layers',
      severity: 'error',
      comment: 'Every production module belongs to a layer (see the top of this file).',
      from: { path: '^(engine|controls|evidence)/', pathNot: [tests, ...layers.map(([, p]) => p)] },
      to: {},
    },
    {
      name: 'client-stays-out',
      severity: 'error',
      comment: 'The client ships to app services: no part of the server imports it (it would pull server code into apps).',
      from: { path: '^(engine|controls|evidence)/', pathNot: [tests, pathOf.client] },
      to: { path: pathOf.client },
    },
    ...layers
      .filter(([name]) => name !== 'main')
      .map(([name, p]) => ({
        name: `layer-${name}`,
        severity: 'error',
        comment: `${name} may import only ${[name, ...allowed[name]].join(', ')} (docs/architecture.md).`,
        from: { path: p, pathNot: tests },
        to: { path: '^(engine|controls|evidence)/', pathNot: [tests, p, ...allowed[name].map((l) => pathOf[l])] },
      })),
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^node_modules|^console/dist)' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.tsx', '.mjs', '.js'] },
  },
};
