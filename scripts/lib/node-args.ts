/**
 * How every Node process that runs the app's TypeScript is started (worker, scripts, benches,
 * fault tests): tsx for the TypeScript, and the `react-server` export condition so that
 * `import 'server-only'` (the first line of every server module) resolves to the package's empty
 * module, as it does in Next's server bundles. A client bundle still resolves it to the throwing
 * one, which is the point of the marker. The web process is `next` itself and needs neither.
 */
export const TS_NODE_ARGS = ['--conditions=react-server', '--import', 'tsx'] as const;
