/**
 * Recovery times that docs/deployment.md quotes, printed by the failure tests that measure them. They are
 * reported, never asserted: a test checks what happens, and timing is the benchmark's business.
 */
export function reportFigure(what: string, since: number): void {
  console.info(`[figure] ${what}: ${Date.now() - since} ms`);
}
