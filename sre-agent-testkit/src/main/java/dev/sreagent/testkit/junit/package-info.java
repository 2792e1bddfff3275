/** JUnit 5 integration: {@link dev.sreagent.testkit.junit.SimulatedClusterTest} and its extension. */
@NullMarked
package dev.sreagent.testkit.junit;

import org.jspecify.annotations.NullMarked;
