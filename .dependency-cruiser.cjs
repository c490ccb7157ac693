// The dependency rules the code keeps (docs/contributing/style.md), checked by dependency-cruiser in `npm test`
// (test/unit/dependencies.test.ts) and by hand with `npx depcruise functions infra bench`. Type-only
// imports count.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'An import circle: two modules that need each other are one module, or one of them holds what both need.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'core-imports-only-core',
      severity: 'error',
      comment:
        'functions/core holds the rules and talks to the world only through its ports (core/ports.ts): nothing from email/, http/, adapters/, handlers/, local/, cli/ or the wiring.',
      from: { path: '^functions/core/' },
      to: { path: '^functions/', pathNot: '^functions/core/' },
    },
    {
      name: 'core-no-aws-or-http-libraries',
      severity: 'error',
      comment: 'The core imports no AWS SDK, no Powertools and no Hono: those are the adapters’ and the HTTP layer’s.',
      from: { path: '^functions/core/' },
      to: { path: '(^|/)node_modules/(@aws-sdk|@aws-lambda-powertools|hono)/' },
    },
    {
      name: 'adapters-not-http-or-handlers',
      severity: 'error',
      comment: 'Adapters make the core’s ports real; they never reach up into the HTTP layer or a handler.',
      from: { path: '^functions/adapters/' },
      to: { path: '^functions/(http|handlers)/' },
    },
    {
      name: 'functions-not-test-or-bench',
      severity: 'error',
      comment: 'What ships never imports the tests or the bench.',
      from: { path: '^functions/' },
      to: { path: '^(test|bench)/' },
    },
    {
      name: 'handlers-only-wiring',
      severity: 'error',
      comment: 'A Lambda handler gets everything from the wiring (functions/wiring/); from anywhere else, types only.',
      from: { path: '^functions/handlers/' },
      to: { path: '^functions/', pathNot: '^functions/wiring/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'handlers-no-libraries',
      severity: 'error',
      comment: 'A Lambda handler imports no library but Hono’s Lambda adapter types: the wiring holds the rest.',
      from: { path: '^functions/handlers/' },
      to: {
        dependencyTypes: ['npm', 'npm-dev', 'npm-optional', 'npm-peer', 'npm-no-pkg', 'npm-unknown'],
        pathNot: '(^|/)node_modules/hono/',
      },
    },
  ],
  options: {
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: '(^|/)node_modules/' },
    preserveSymlinks: true,
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'] },
  },
};
