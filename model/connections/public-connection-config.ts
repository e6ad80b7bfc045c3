import type { TConnectionConfig } from '@/model/connections/connection-config';
import { assertNever } from '@/model/errors';

/**
 * What a person may see of a connection's config: everything but its secret fields, which are
 * named in `secretFields` (set, never shown). A PostgreSQL connection string is shown without
 * its password; an MCP server's headers by name only (they usually carry the credential).
 */
export function publicConnectionConfig(connection: TConnectionConfig): {
  config: Record<string, unknown>;
  secretFields: string[];
} {
  switch (connection.type) {
    case 'http': {
      const { auth, baseUrl } = connection.config;
      switch (auth.type) {
        case 'none':
          return { config: { baseUrl, auth }, secretFields: [] };
        case 'bearer':
          return { config: { baseUrl, auth: { type: 'bearer' } }, secretFields: ['auth.token'] };
        case 'basic':
          return {
            config: { baseUrl, auth: { type: 'basic', username: auth.username } },
            secretFields: ['auth.password'],
          };
        case 'header':
        case 'query':
          return { config: { baseUrl, auth: { type: auth.type, name: auth.name } }, secretFields: ['auth.value'] };
        default:
          return assertNever(auth);
      }
    }
    case 'smtp': {
      const { password, ...rest } = connection.config;
      return { config: rest, secretFields: password === undefined ? [] : ['password'] };
    }
    case 'postgres': {
      const url = new URL(connection.config.connectionString);
      const hadPassword = url.password !== '' || url.searchParams.has('password');
      url.password = '';
      url.searchParams.delete('password');
      return {
        config: { connectionString: url.toString() },
        secretFields: hadPassword ? ['connectionString.password'] : [],
      };
    }
    case 'openai': {
      const { apiKey: _apiKey, ...rest } = connection.config;
      return { config: rest, secretFields: ['apiKey'] };
    }
    case 'mcp': {
      const names = Object.keys(connection.config.headers ?? {});
      return {
        config: { url: connection.config.url, headerNames: names },
        secretFields: names.map((n) => `headers.${n}`),
      };
    }
    default:
      return assertNever(connection);
  }
}
