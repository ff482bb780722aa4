/**
 * The layering of megashard, checked by `npm test` (`npm run lint:deps`):
 *
 *   core → (arrow, io, tokenizers, shard) → local → run → (cli, lambdas, bench, synth) → cdk
 *
 * A module may import its own layer and the layers before it, never a later one, and nothing may
 * form a cycle. Inside lib/run the stages follow the pipeline: prepare → tokenize → plan → shards →
 * audit → pipeline → remote → watch, with lib/run/*.ts (what every stage shares) before them all.
 * docs/architecture.md explains each layer; change this file and that page together.
 */
const LATER_THAN = {
  core: ['arrow', 'io', 'tokenizers', 'shard', 'local', 'run', 'cli', 'bench', 'synth'],
  adapters: ['local', 'run', 'cli', 'bench', 'synth'],
  local: ['run', 'cli', 'bench', 'synth'],
  run: ['cli', 'bench', 'synth'],
};
const libFolders = (names) => `^lib/(${names.join('|')})/`;
const TOP = '^(lambdas|cdk|bench|test)/';

/** Stages of lib/run in pipeline order; each may import only the ones before it. */
const STAGES = ['prepare', 'tokenize', 'plan', 'shards', 'audit', 'pipeline', 'remote', 'watch'];
const stageRules = STAGES.slice(0, -1).map((stage, i) => ({
  name: `run-stage-order-${stage}`,
  comment: `lib/run/${stage} comes before ${STAGES.slice(i + 1).join(', ')} in the pipeline: it may not import them`,
  severity: 'error',
  from: { path: `^lib/run/${stage}/` },
  to: { path: `^lib/run/(${STAGES.slice(i + 1).join('|')})/` },
}));

module.exports = {
  forbidden: [
    { name: 'no-circular', comment: 'import cycles hide the real order of things', severity: 'error', from: {}, to: { circular: true } },
    {
      name: 'core-imports-only-core',
      comment: 'lib/core is the pure domain: it imports nothing of the other layers',
      severity: 'error',
      from: { path: '^lib/core/' },
      to: { path: `${libFolders(LATER_THAN.core)}|${TOP}` },
    },
    {
      name: 'core-is-pure',
      comment: 'lib/core does no I/O: of Node it may use hashing only (no fs, net, os, worker_threads, process…)',
      severity: 'error',
      from: { path: '^lib/core/' },
      to: { dependencyTypes: ['core'], pathNot: '^(node:)?crypto$' },
    },
    {
      name: 'core-npm-allowlist',
      comment: 'lib/core may use zod and the pure image-header/decoder packages, nothing that touches the world',
      severity: 'error',
      from: { path: '^lib/core/' },
      to: {
        dependencyTypes: ['npm', 'npm-dev', 'npm-optional', 'npm-peer', 'npm-no-pkg', 'npm-unknown'],
        pathNot: 'node_modules/(zod|image-size|jpeg-js|pngjs)/',
      },
    },
    {
      name: 'adapters-before-executor',
      comment: 'arrow, io, tokenizers and shard are adapters: they know nothing of the executor, the use-cases or the commands',
      severity: 'error',
      from: { path: '^lib/(arrow|io|tokenizers|shard)/' },
      to: { path: `${libFolders(LATER_THAN.adapters)}|${TOP}` },
    },
    {
      name: 'executor-knows-no-pipeline',
      comment: 'lib/local executes any state machine: it knows nothing of the pipeline it runs',
      severity: 'error',
      from: { path: '^lib/local/' },
      to: { path: `${libFolders(LATER_THAN.local)}|${TOP}` },
    },
    {
      name: 'use-cases-before-commands',
      comment: 'lib/run holds the use-cases: the CLI, Lambdas, benchmarks and synth call them, not the other way round',
      severity: 'error',
      from: { path: '^lib/run/' },
      to: { path: `${libFolders(LATER_THAN.run)}|${TOP}` },
    },
    {
      name: 'shared-run-modules-before-stages',
      comment: 'lib/run/*.ts is shared by every stage, so it imports none of them',
      severity: 'error',
      from: { path: '^lib/run/[^/]+$' },
      to: { path: `^lib/run/(${STAGES.join('|')})/` },
    },
    ...stageRules,
    {
      name: 'entry-points-not-cdk',
      comment: 'only cdk/ (and tests) import the stack',
      severity: 'error',
      from: { path: '^(lib|lambdas|bench|bin)/' },
      to: { path: '^cdk/' },
    },
    {
      name: 'shipped-code-no-dev-dependencies',
      comment: 'what npm ships (lib/, bin/) and the Lambdas run must not need a devDependency at run time',
      severity: 'error',
      from: { path: '^(lib|bin|lambdas)/' },
      to: { dependencyTypes: ['npm-dev'], dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'arrow-only-in-lib-arrow',
      comment: 'lib/arrow is the only importer of apache-arrow (typed arrays in, IPC bytes out); bench/ scripts may compare codecs',
      severity: 'error',
      from: { path: '^(lib|lambdas|cdk)/', pathNot: '^lib/arrow/' },
      to: { path: 'node_modules/apache-arrow/' },
    },
    {
      name: 'aws-sdk-only-in-lib-io',
      comment: 'lib/io is the only importer of the AWS SDK clients (storage and Step Functions are ports)',
      severity: 'error',
      from: { path: '^(lib|lambdas|bench)/', pathNot: '^lib/io/' },
      to: { path: 'node_modules/@aws-sdk/' },
    },
    {
      name: 'cdk-lib-only-in-cdk',
      comment: 'aws-cdk-lib is a devDependency: only the stack (and its tests) use it',
      severity: 'error',
      from: { pathNot: '^(cdk|test)/' },
      to: { path: 'node_modules/(aws-cdk-lib|constructs|cdk-nag)/' },
    },
    {
      name: 'lib-not-tests',
      comment: 'shipped code never imports test helpers',
      severity: 'error',
      from: { path: '^(lib|lambdas|bench|cdk|bin)/' },
      to: { path: '^test/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'] },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
