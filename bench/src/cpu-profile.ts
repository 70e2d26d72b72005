/**
 * V8 CPU profiles (`node --cpu-prof`) of a Herald process, read for the share of its CPU time that some of its
 * code took. A sample counts for the code when any frame of its stack belongs to it (time in the functions it
 * calls, SQL statements included, is its own). Idle samples are not CPU time and count for nothing; every thread's
 * profile (the main thread and each delivery thread) adds to the same total.
 */
import fs from 'node:fs';
import path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Code to look for: the functions of a compiled file (its path ends with `file`), or only those named. */
export interface CodeSelector {
  file: string;
  functions?: string[];
}

export interface CodeShare {
  /** Samples taken (idle ones left out), and the time they stand for in milliseconds. */
  samples: number;
  sampledMs: number;
  /** Of which with the code on the stack. */
  matched: number;
  matchedMs: number;
  /**
   * Matched samples over samples. Samples rather than their times: on a loaded machine a sample taken after the
   * process waited for a core stands for the wait too, so one sample can weigh tens of milliseconds.
   */
  share: number;
  /** The matched code's functions by time spent with each on the stack, most first. */
  functions: Array<{ name: string; ms: number }>;
}

function matcher(selectors: CodeSelector[]) {
  return ({ functionName, url }: ProfileNode['callFrame']): boolean =>
    selectors.some(
      (s) => url.endsWith(s.file) && (s.functions === undefined || s.functions.includes(functionName)),
    );
}

/** The share of the sampled CPU time of the profiles in `dir` (every `.cpuprofile` file) that `code` took. */
export function codeShare(dir: string, code: CodeSelector[]): CodeShare {
  const matches = matcher(code);
  let samples = 0;
  let matched = 0;
  let sampledUs = 0;
  let matchedUs = 0;
  const byFunction = new Map<string, number>();
  for (const file of fs.readdirSync(dir).filter((name) => name.endsWith('.cpuprofile'))) {
    const profile = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as Profile;
    const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
    const parent = new Map<number, number>();
    for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
    // Which code on each node's stack, computed once per node rather than once per sample.
    const found = new Map<number, string[]>();
    const foundOn = (id: number): string[] => {
      let names = found.get(id);
      if (names === undefined) {
        const node = nodes.get(id)!;
        const above = parent.has(id) ? foundOn(parent.get(id)!) : [];
        const here = matches(node.callFrame) ? `${node.callFrame.functionName || '(anonymous)'}` : null;
        names = here === null || above.includes(here) ? above : [...above, here];
        found.set(id, names);
      }
      return names;
    };
    profile.samples.forEach((id, i) => {
      const us = profile.timeDeltas[i] ?? 0;
      if (nodes.get(id)!.callFrame.functionName === '(idle)') return;
      samples++;
      sampledUs += us;
      const names = foundOn(id);
      if (names.length === 0) return;
      matched++;
      matchedUs += us;
      for (const name of names) byFunction.set(name, (byFunction.get(name) ?? 0) + us);
    });
  }
  return {
    samples,
    sampledMs: sampledUs / 1000,
    matched,
    matchedMs: matchedUs / 1000,
    share: samples === 0 ? Number.NaN : matched / samples,
    functions: [...byFunction]
      .sort((a, b) => b[1] - a[1])
      .map(([name, us]) => ({ name, ms: Math.round(us) / 1000 })),
  };
}

/** Ordered delivery's code in Herald: every sequence statement and the results' ordering step are in it. */
export const ORDERING_CODE: CodeSelector[] = [
  { file: '/store/sequences.js' },
  { file: '/store/delivery-batches.js', functions: ['deliveryClaimFollowers'] },
  { file: '/delivery/batches.js', functions: ['#runs'] },
];
