/**
 * The layers' allowed arrows (docs/architecture.md draws them); `npm run check:imports` and CI fail on
 * an import against them. Each rule says what it protects; `from`/`to` are paths from the repository root.
 * .astro files are not parsed by dependency-cruiser: scripts/check-imports.sh greps their imports.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'An import cycle hides which side owns a contract; break it by moving the shared part down a layer. Type-only imports are erased at run time and may point back.',
      from: { pathNot: '^(tests|bench)/' },
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'production-never-loads-tests-or-bench',
      severity: 'error',
      comment: 'chatlas serve must run without tests/ and bench/ (the review found serve loading the test harness).',
      from: { path: '^(crawler|db|jobs|site|registration|federation|guide|lib|sim)/' },
      to: { path: '^(tests|bench)/' },
    },
    {
      name: 'only-demo-loads-the-simulation',
      severity: 'error',
      comment: 'The simulated federation (fake DNS, test CA, fake servers) is for demo, tests and benchmarks only.',
      from: { path: '^(crawler|db|jobs|site|registration|federation|guide|lib)/', pathNot: '^jobs/commands/demo\\.ts$' },
      to: { path: '^sim/' },
    },
    {
      name: 'demo-loads-the-simulation-lazily',
      severity: 'error',
      comment: 'Every command is imported by jobs/cli.ts at start; a static import would load the simulation in serve.',
      from: { path: '^jobs/commands/demo\\.ts$' },
      to: { path: '^sim/', dynamic: false },
    },
    {
      name: 'lib-is-a-leaf',
      severity: 'error',
      comment: 'lib/ holds generic helpers (config tables, CSV/NDJSON); it imports no layer of ours.',
      from: { path: '^lib/' },
      to: { path: '^(crawler|db|jobs|site|registration|federation|guide|sim)/' },
    },
    {
      name: 'crawler-stands-alone',
      severity: 'error',
      comment: 'The crawler returns values; storing, scheduling and showing them are other layers\' work.',
      from: { path: '^crawler/' },
      to: { path: '^(db|jobs|site|registration|federation|guide|sim)/' },
    },
    {
      name: 'crawler-protocol-is-pure',
      severity: 'error',
      comment: 'Parsers take bytes and limits and return values or ProbeErrors; they never reach the network or policy.',
      from: { path: '^crawler/(protocol|identify)/' },
      to: { path: '^crawler/(net|probe|policy|discover)/' },
    },
    {
      name: 'crawler-policy-never-opens-sockets',
      severity: 'error',
      comment: 'Policy (robots rules, politeness queues) decides; net applies it. The old net <-> policy cycle is gone.',
      from: { path: '^crawler/policy/' },
      to: { path: '^crawler/(net|probe|discover)/' },
    },
    {
      name: 'crawler-net-never-orchestrates',
      severity: 'error',
      comment: 'net/ moves bytes under deadlines, caps and the address guard; probes orchestrate it, not the reverse.',
      from: { path: '^crawler/net/' },
      to: { path: '^crawler/(probe|discover|identify)/' },
    },
    {
      name: 'db-knows-only-the-crawler-vocabulary',
      severity: 'error',
      comment: 'The store reads and writes the crawler\'s types; it never calls the crawler, jobs, site or services.',
      from: { path: '^db/' },
      to: { path: '^(crawler/(?!types\\.ts$|errors\\.ts$)|jobs/|site/|registration/|federation/|guide/)' },
    },
    {
      name: 'guide-reads-only-the-store-and-the-vocabulary',
      severity: 'error',
      comment: 'The guide grades what the store holds (measured facts only); it never runs a probe or opens a socket.',
      from: { path: '^guide/' },
      to: { path: '^crawler/(?!(types|errors|offer|software-key|software-role)\\.ts$)' },
    },
    {
      name: 'domain-services-below-site-and-jobs',
      severity: 'error',
      comment: 'registration/, federation/ and guide/ are used by site/ and jobs/; they never import either.',
      from: { path: '^(registration|federation|guide)/' },
      to: { path: '^(jobs|site)/' },
    },
    {
      name: 'site-never-imports-jobs',
      severity: 'error',
      comment: 'The site renders what the store holds; jobs/ (the composition root) installs the site\'s dependencies, never the reverse.',
      from: { path: '^site/' },
      to: { path: '^jobs/' },
    },
    {
      name: 'only-serve-reaches-into-site',
      severity: 'error',
      comment: 'jobs/serve installs the store and API dependencies into the bundle; other jobs use db/ and lib/ directly.',
      from: { path: '^jobs/', pathNot: '^jobs/(serve/|runtime\\.ts$)' },
      to: { path: '^site/' },
    },
    {
      name: 'probes-run-through-the-crawler-entry',
      severity: 'error',
      comment: 'Other layers run a probe with crawler/index.ts probeDomain (the one entry that applies the options every probe takes), never by calling a protocol probe directly.',
      from: { path: '^(jobs|site|registration|federation|guide|db|lib)/' },
      to: { path: '^crawler/probe/(matrix|xmpp)\\.ts$' },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment: 'An import that resolves to nothing is a typo or a file moved without its importers (rules above could not see it).',
      from: {},
      to: { couldNotResolve: true, pathNot: '^(astro:|chdb/)' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist|\\.astro)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    // ESM-only packages (p-queue, astro) resolve through their package.json "exports".
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'node', 'default', 'types'], mainFields: ['module', 'main', 'types'] },
  },
};
