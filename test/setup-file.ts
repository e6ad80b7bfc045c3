import { randomBytes } from 'node:crypto';

// Tests run with a fixed, throwaway secrets key; never a real one.
process.env.PIPEWRIGHT_SECRET_KEY ??= randomBytes(32).toString('base64');
process.env.NEXTAUTH_SECRET ??= 'test-nextauth-secret-test-nextauth-secret';
