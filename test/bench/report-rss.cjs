// Preloaded into a benchmarked child (NODE_OPTIONS=--require): reports the process's peak resident set at exit.
process.on('exit', () => process.stderr.write(`TENET_BENCH_MAX_RSS_KB=${process.resourceUsage().maxRSS}\n`));
