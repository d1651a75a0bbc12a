// Chains streams source → stages → sink and settles only when every part has ended well.
import type { Readable, Writable, Duplex } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** One part of a pipeline, with the promise that tells how it ended. */
export interface Part {
  /** Shown in errors when the part has no message of its own. */
  name: string;
  done: Promise<unknown>;
}

/** Options of {@link runPipeline}. */
export interface RunPipelineOptions {
  source: Readable;
  stages: Duplex[];
  sink: Writable;
  /**
   * The promises of the parts, most telling first: a full disk at the sink explains a dump
   * killed by a broken pipe, never the other way round.
   */
  parts: Part[];
  signal?: AbortSignal;
  /**
   * Called as soon as the stream chain or any part fails (maybe more than once), before
   * waiting for the rest: stops producers (a dump tool) whose exit would otherwise wait for a
   * reader that is gone.
   */
  stop?: () => void;
}

/**
 * Runs the pipeline. It resolves only when the stream chain finished and every part resolved;
 * otherwise it rejects with the first root-cause error in `parts` order, ignoring errors that
 * merely follow from another part stopping (broken pipes, premature close, SIGPIPE).
 */
export async function runPipeline({
  source,
  stages,
  sink,
  parts,
  signal,
  stop,
}: RunPipelineOptions): Promise<void> {
  const chain = pipeline([source, ...stages, sink], { signal });
  const all = [...parts, { name: 'pipeline', done: chain }];
  for (const part of all) part.done.catch(() => stop?.());
  const results = await Promise.allSettled(all.map((part) => part.done));

  const failures = results.flatMap((result) => (result.status === 'rejected' ? [result] : []));
  if (failures.length === 0) return;
  const causes = failures.map((failure) => failure.reason as unknown);
  throw causes.find((cause) => !isConsequence(cause)) ?? causes[0];
}

/** Errors that only say another part of the pipeline went away first. */
export function isConsequence(error: unknown): boolean {
  const code = (error as { code?: string } | undefined)?.code;
  if (code === 'EPIPE' || code === 'ERR_STREAM_PREMATURE_CLOSE' || code === 'ABORT_ERR') {
    return true;
  }
  const failure = (error as { failure?: { signal?: string | null; stderrTail?: string } })?.failure;
  if (failure?.signal === 'SIGPIPE' || failure?.signal === 'SIGTERM') return true;
  // pg_dump and pg_restore catch SIGTERM and exit 1 saying so: stopped, not failed.
  return /broken pipe|could not write to output file: Broken pipe|: terminated by user$/im.test(
    failure?.stderrTail ?? '',
  );
}

/** Options of {@link runIntoTool}: the sink is the tool's stdin, `tool` its exit. */
export interface RunIntoToolOptions extends RunPipelineOptions {
  tool: Promise<unknown>;
}

/**
 * Runs a pipeline into a tool's stdin. A tool that read its whole input may exit, closing its
 * stdin, in the instant before the pipe itself ends, which the stream layer reports as a
 * premature close: once the source has ended and the tool exited 0, that is not a failure.
 */
export async function runIntoTool({ tool, ...options }: RunIntoToolOptions): Promise<void> {
  try {
    await runPipeline(options);
  } catch (error) {
    const sourceEnded = options.source.readableEnded;
    const toolOk = await tool.then(
      () => true,
      () => false,
    );
    if (!(isConsequence(error) && sourceEnded && toolOk)) throw error;
  }
}
