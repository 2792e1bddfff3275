/** Benchmarks and seeded runners that print tables: {@code java -jar sre-agent-bench.jar scenarios}. */
@NullMarked
package dev.sreagent.bench;

import org.jspecify.annotations.NullMarked;
