import { expect, test } from '@playwright/test';
import { api, E2E_ADMIN, signIn } from './support';

test.describe('setting a tenant up over the API (SPEC §12)', () => {
  test('a script creates a tenant with its first token, adds and promotes a member; the last admin stays', async ({
    request,
  }) => {
    const slug = `script-${Date.now()}`;
    const created = await api(request).post('/tenants', {
      name: 'Made by a script',
      slug,
      token: { name: 'setup', role: 'admin' },
    });
    expect(created.status(), await created.text()).toBe(201);
    const headers = { authorization: `Bearer ${(await created.json()).token.token}` };
    const me = `/api/v1/members/${encodeURIComponent(E2E_ADMIN.email)}`;
    const demoteLast = await request.patch(me, { headers, data: { role: 'editor' } });
    expect([demoteLast.status(), (await demoteLast.json()).error.code]).toEqual([409, 'CONFLICT']);
    const added = await request.post('/api/v1/members', {
      headers,
      data: { email: 'Ops.Person@E2E.test', role: 'operator' },
    });
    expect(added.status()).toBe(201);
    expect(await added.json()).toMatchObject({
      email: 'ops.person@e2e.test',
      role: 'operator',
      initialPassword: expect.any(String),
    });
    const promoted = await request.patch('/api/v1/members/ops.person%40e2e.test', { headers, data: { role: 'admin' } });
    expect(promoted.status(), await promoted.text()).toBe(200);
    expect(await promoted.json()).toMatchObject({ role: 'admin' });
    expect((await request.delete(me, { headers })).status()).toBe(204); // someone else is admin now
    // Leaving the tenant revoked the tokens its owner made there, this one included.
    expect((await request.get('/api/v1/members', { headers })).status()).toBe(401);
  });

  test('a session names its tenant with Pipewright-Tenant; a tenant it is not in is refused', async ({
    page,
    request,
    baseURL,
  }) => {
    const slug = `header-${Date.now()}`;
    expect((await api(request).post('/tenants', { name: 'Header tenant', slug })).status()).toBe(201);
    await signIn(page);
    const there = { 'pipewright-tenant': slug };
    const members = await page.request.get('/api/v1/members', { headers: there });
    expect((await members.json()).items.map((m: { email: string }) => m.email)).toEqual([E2E_ADMIN.email]);
    const added = await page.request.post('/api/v1/members', {
      headers: { ...there, origin: baseURL! },
      data: { email: 'header@e2e.test', role: 'viewer' },
    });
    expect(added.status(), await added.text()).toBe(201);
    const inDefault = await page.request.get('/api/v1/members');
    expect(JSON.stringify(await inDefault.json())).not.toContain('header@e2e.test');
    const tenants = await (await page.request.get('/api/v1/tenants', { headers: there })).json();
    expect(tenants.items.find((t: { slug: string }) => t.slug === slug)).toMatchObject({
      current: true,
      role: 'admin',
    });
    const stranger = await page.request.get('/api/v1/members', { headers: { 'pipewright-tenant': 'no-such-tenant' } });
    expect(stranger.status()).toBe(403);
    expect((await stranger.json()).error.message).toContain('no-such-tenant');
  });
});
