// `npm run bench`: the agent pipeline benchmark (BENCH_SIZE_GIB, BENCH_SKIP_LARGE=1 to skip the 4× round).
import { runAgentBench } from './agent/agent-bench.js';

runAgentBench().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
