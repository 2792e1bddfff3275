/** The standalone sre-agent app: {@code ./sre-agent demo} runs the built-in scenarios in simulated time. */
@NullMarked
package dev.sreagent.standalone;

import org.jspecify.annotations.NullMarked;
