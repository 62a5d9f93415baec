// Preloaded into every measured child (`node --import <this file> …`): at exit, writes the process's
// peak RSS, CPU time and wall time since process start to $BENCH_RUSAGE_FILE as JSON.
// Plain JavaScript on purpose: it must not add a TypeScript loader to the process it measures.
import { writeFileSync } from 'node:fs';

const file = process.env.BENCH_RUSAGE_FILE;
const loadedAt = process.hrtime.bigint();

if (file) {
  process.on('exit', (code) => {
    const usage = process.resourceUsage();
    writeFileSync(
      file,
      JSON.stringify({
        maxRssKb: usage.maxRSS,
        userCpuMs: usage.userCPUTime / 1000,
        systemCpuMs: usage.systemCPUTime / 1000,
        // since the process started (performance.timeOrigin), and since this hook ran
        uptimeMs: performance.now(),
        sinceHookMs: Number(process.hrtime.bigint() - loadedAt) / 1e6,
        exitCode: code,
      }),
    );
  });
}
