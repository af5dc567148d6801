import { Session } from 'node:inspector/promises';

/**
 * A small coverage-guided mutation fuzzer: jazzer.js's prebuilt native fuzzer needs glibc 2.38 and
 * cannot be built offline here, so this is its stand-in. Coverage is V8's precise block coverage
 * (node:inspector), read after each batch of mutants; a batch that reaches a new block is replayed
 * one input at a time so the input that reached it joins the corpus.
 */
export interface FuzzOptions {
  readonly seeds: readonly Buffer[];
  /** throws only for a bug */
  readonly target: (input: Buffer) => void;
  readonly durationMs: number;
  readonly maxLength: number;
  /** which scripts count for coverage */
  readonly coverageFilter: (url: string) => boolean;
  readonly seed?: number;
}

export interface FuzzFailure {
  readonly input: Buffer;
  readonly error: unknown;
}

export interface FuzzReport {
  readonly executions: number;
  readonly corpusSize: number;
  readonly seedBlocks: number;
  readonly coveredBlocks: number;
  readonly failures: readonly FuzzFailure[];
}

interface CoverageRange {
  startOffset: number;
  endOffset: number;
  count: number;
}
interface ScriptCoverage {
  scriptId: string;
  url: string;
  functions: { functionName: string; ranges: CoverageRange[] }[];
}

/** xorshift32: reproducible runs from a seed. */
function randomSource(seed: number): (below: number) => number {
  let state = seed | 0 || 0x9e3779b9;
  return (below) => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) % below;
  };
}

const INTERESTING = [0, 1, 2, 3, 16, 17, 18, 19, 20, 26, 33, 79, 80, 0x7f, 0x80, 0xfe, 0xff, 241, 245, 253, 254, 255];

function mutate(input: Buffer, corpus: readonly Buffer[], random: (below: number) => number, maxLength: number): Buffer {
  let data = Buffer.from(input);
  const rounds = 1 + random(4);
  for (let round = 0; round < rounds; round++) {
    const at = data.length === 0 ? 0 : random(data.length);
    switch (random(10)) {
      case 0:
        if (data.length > 0) data[at] = data[at]! ^ (1 << random(8));
        break;
      case 1:
        if (data.length > 0) data[at] = random(256);
        break;
      case 2:
        if (data.length > 0) data[at] = INTERESTING[random(INTERESTING.length)]!;
        break;
      case 3: {
        const extra = Buffer.alloc(1 + random(8));
        for (let i = 0; i < extra.length; i++) extra[i] = random(256);
        data = Buffer.concat([data.subarray(0, at), extra, data.subarray(at)]);
        break;
      }
      case 4:
        data = Buffer.concat([data.subarray(0, at), data.subarray(Math.min(data.length, at + 1 + random(16)))]);
        break;
      case 5: {
        const length = 1 + random(32);
        data = Buffer.concat([data.subarray(0, at), data.subarray(at, at + length), data.subarray(at)]);
        break;
      }
      case 6: {
        const other = corpus[random(corpus.length)]!;
        const from = other.length === 0 ? 0 : random(other.length);
        data = Buffer.concat([data.subarray(0, at), other.subarray(from)]);
        break;
      }
      case 7:
        // RADIUS Length field: keep it consistent, or push it just past an edge.
        if (data.length >= 4) data.writeUInt16BE([data.length, data.length - 1, data.length + 1, 19, 20, 4096, 4097][random(7)]! & 0xffff, 2);
        break;
      case 8:
        data = data.subarray(0, at);
        break;
      default: {
        // Append an attribute of a random type whose length byte may lie.
        const value = Buffer.alloc(random(20));
        for (let i = 0; i < value.length; i++) value[i] = random(256);
        const lengthByte = random(4) === 0 ? random(256) : value.length + 2;
        data = Buffer.concat([data, Buffer.from([1 + random(255), lengthByte]), value]);
        if (data.length >= 4 && random(2) === 0) data.writeUInt16BE(Math.min(data.length, 0xffff), 2);
      }
    }
  }
  return data.length > maxLength ? data.subarray(0, maxLength) : data;
}

export async function fuzz(options: FuzzOptions): Promise<FuzzReport> {
  const random = randomSource(options.seed ?? Date.now());
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.startPreciseCoverage', { callCount: true, detailed: true });

  // Every block range ever reported, per function; a block is covered in a take when the innermost reported
  // range around it has a non-zero count (V8 reports only ranges whose count differs from their parent's).
  const knownRanges = new Map<string, Set<string>>();
  const covered = new Set<string>();

  async function newBlocks(): Promise<number> {
    const { result } = (await session.post('Profiler.takePreciseCoverage')) as { result: ScriptCoverage[] };
    let found = 0;
    for (const script of result) {
      if (!options.coverageFilter(script.url)) continue;
      for (const fn of script.functions) {
        if (fn.ranges.length === 0 || fn.ranges[0]!.count === 0) continue;
        const functionKey = `${script.url}#${fn.functionName}@${fn.ranges[0]!.startOffset}`;
        let known = knownRanges.get(functionKey);
        if (known === undefined) knownRanges.set(functionKey, (known = new Set()));
        for (const range of fn.ranges) known.add(`${range.startOffset}:${range.endOffset}`);
        for (const block of known) {
          const [start, end] = block.split(':').map(Number) as [number, number];
          let innermost: CoverageRange | undefined;
          for (const range of fn.ranges) {
            if (range.startOffset <= start && end <= range.endOffset && (innermost === undefined || range.endOffset - range.startOffset < innermost.endOffset - innermost.startOffset)) {
              innermost = range;
            }
          }
          const key = `${functionKey}/${block}`;
          if (innermost !== undefined && innermost.count > 0 && !covered.has(key)) {
            covered.add(key);
            found++;
          }
        }
      }
    }
    return found;
  }

  const failures: FuzzFailure[] = [];
  let executions = 0;
  function run(input: Buffer): void {
    executions++;
    try {
      options.target(input);
    } catch (error) {
      if (failures.length < 20) failures.push({ input, error });
    }
  }

  try {
    await newBlocks();
    const corpus: Buffer[] = [];
    for (const seed of options.seeds) {
      run(seed);
      corpus.push(seed);
    }
    await newBlocks();
    const seedBlocks = covered.size;
    const deadline = Date.now() + options.durationMs;
    const BATCH = 64;
    while (Date.now() < deadline) {
      const parent = corpus[random(corpus.length)]!;
      const batch: Buffer[] = [];
      for (let i = 0; i < BATCH; i++) {
        const mutant = mutate(parent, corpus, random, options.maxLength);
        batch.push(mutant);
        run(mutant);
      }
      if ((await newBlocks()) === 0) continue;
      for (const mutant of batch) {
        run(mutant);
        if ((await newBlocks()) > 0) corpus.push(mutant);
      }
    }
    return { executions, corpusSize: corpus.length, seedBlocks, coveredBlocks: covered.size, failures };
  } finally {
    await session.post('Profiler.stopPreciseCoverage');
    await session.post('Profiler.disable');
    session.disconnect();
  }
}
