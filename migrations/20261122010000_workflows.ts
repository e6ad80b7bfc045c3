import { sql, type Kysely } from 'kysely';

// Frozen in time: imports nothing from the app. The status lists mirror
// server/workflows/workflow-status.ts and server/workflows/definition/version-document.ts
// as they were on the day this shipped.
const WORKFLOW_STATUSES = ['active', 'archived'];
const VERSION_STATUSES = ['draft', 'published'];

const inList = (column: string, values: string[]) => sql.raw(`${column} IN (${values.map((v) => `'${v}'`).join(', ')})`);

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('workflows')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('tenant_id', 'uuid', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('tags', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'::text[]`))
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('active'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('workflows_tenant_key_key', ['tenant_id', 'key'])
    .addCheckConstraint('workflows_status_check', inList('status', WORKFLOW_STATUSES))
    .addCheckConstraint('workflows_key_format', sql`key ~ '^[a-z0-9][a-z0-9-]{0,62}$'`)
    .execute();
  await db.schema.createIndex('workflows_tags_idx').on('workflows').using('gin').column('tags').execute();

  await db.schema
    .createTable('workflow_versions')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('tenant_id', 'uuid', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('workflow_id', 'uuid', (c) => c.notNull().references('workflows.id').onDelete('cascade'))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('draft'))
    .addColumn('document', 'jsonb', (c) => c.notNull())
    .addColumn('node_types', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'::text[]`))
    .addColumn('actions', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'::text[]`))
    .addColumn('revision', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('published_at', 'timestamptz')
    .addColumn('published_by', 'text')
    .addUniqueConstraint('workflow_versions_workflow_version_key', ['workflow_id', 'version'])
    .addCheckConstraint('workflow_versions_status_check', inList('status', VERSION_STATUSES))
    .addCheckConstraint('workflow_versions_version_positive', sql`version >= 1`)
    .addCheckConstraint('workflow_versions_published_at', sql`(status = 'published') = (published_at IS NOT NULL)`)
    .execute();
  // One draft per workflow: concurrent "create the draft" calls cannot both succeed.
  await db.schema
    .createIndex('workflow_versions_one_draft_idx')
    .on('workflow_versions')
    .column('workflow_id')
    .unique()
    .where(sql.ref('status'), '=', 'draft')
    .execute();
  await db.schema.createIndex('workflow_versions_tenant_idx').on('workflow_versions').columns(['tenant_id', 'workflow_id']).execute();
  await db.schema.createIndex('workflow_versions_node_types_idx').on('workflow_versions').using('gin').column('node_types').execute();
  await db.schema.createIndex('workflow_versions_actions_idx').on('workflow_versions').using('gin').column('actions').execute();

  // A published version never changes again (SPEC §4); the app refuses such writes with 409
  // first, and this trigger makes sure no code path (or hand-written SQL) can slip past it.
  await sql`
    CREATE FUNCTION workflow_versions_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF OLD.status = 'published' THEN
        RAISE EXCEPTION 'workflow version % is published and cannot change', OLD.version
          USING ERRCODE = 'check_violation', CONSTRAINT = 'workflow_versions_immutable';
      END IF;
      RETURN NEW;
    END $$`.execute(db);
  await sql`
    CREATE TRIGGER workflow_versions_immutable BEFORE UPDATE ON workflow_versions
    FOR EACH ROW EXECUTE FUNCTION workflow_versions_immutable()`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('workflow_versions').ifExists().execute();
  await sql`DROP FUNCTION IF EXISTS workflow_versions_immutable()`.execute(db);
  await db.schema.dropTable('workflows').ifExists().execute();
}
