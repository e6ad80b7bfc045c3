import 'server-only';
import { CompiledQuery, createQueryId, PostgresQueryCompiler, type RawBuilder } from 'kysely';
import type { TBatch, TSnapshotDraft } from '@/server/runtime/run-store/commit-statement';

/*
 * A commit's statement text depends only on its batch's shape (which parts it has, how many
 * records it finishes), its data being parameters. Built with Kysely and compiled on every
 * commit, the text was a tenth of a durable step's worker CPU (and hashed again to name its
 * prepared statement). It is now built and compiled once per shape, with each parameter a
 * reader of the batch (`fromBatch`), and each commit only reads its parameters.
 */

/** What a commit's parameters are read from: its batch, and the batch's snapshots by record id. */
export type TCommitInput = { batch: TBatch; snapshots: ReadonlyMap<string, TSnapshotDraft> };

/** A parameter read from each commit's batch as it is sent. */
class FromBatch {
  constructor(readonly read: (input: TCommitInput) => unknown) {}
}

/** A parameter of the commit statement, read from each batch: `sql\`… ${fromBatch((c) => c.batch.run.id)} …\``. */
export const fromBatch = (read: (input: TCommitInput) => unknown): FromBatch => new FromBatch(read);

const compiler = new PostgresQueryCompiler();
const compiledByShape = new Map<string, CompiledQuery>();
/** Shapes kept: a handful in practice (the parts a batch has, the records it finishes); bounded anyway. */
const MAX_SHAPES = 512;

function compile<R>(statement: RawBuilder<R>): CompiledQuery {
  return compiler.compileQuery(statement.toOperationNode(), createQueryId());
}

/**
 * The statement of `input`'s batch: its text compiled once per `shape` (null: compiled for this
 * batch alone, e.g. one whose text holds values that are not readers), its parameters read.
 */
export function boundStatement<R>(
  shape: string | null,
  build: () => RawBuilder<R>,
  input: TCommitInput,
): CompiledQuery<R> {
  let compiled = shape === null ? undefined : compiledByShape.get(shape);
  if (!compiled) {
    compiled = compile(build());
    if (shape !== null) {
      if (compiledByShape.size >= MAX_SHAPES) compiledByShape.clear();
      compiledByShape.set(shape, compiled);
    }
  }
  const parameters = compiled.parameters.map((value) => (value instanceof FromBatch ? value.read(input) : value));
  return CompiledQuery.raw(compiled.sql, parameters) as CompiledQuery<R>;
}
