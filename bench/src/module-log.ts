/**
 * Preloaded into a Herald process (`node --import bench/dist/module-log.js`) by the tracing scenario: every
 * module the process loads through `import` is appended, one URL a line, to the file BENCH_MODULE_LOG names.
 * It shows which modules a Herald with tracing off never loads.
 */
import { register } from 'node:module';

const file = process.env.BENCH_MODULE_LOG;
if (file !== undefined && file !== '') register('./module-log-hooks.js', import.meta.url, { data: { file } });
