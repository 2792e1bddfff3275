/** Helpers shared by the testkit's loopback servers; not part of the testkit's API. */
@NullMarked
package dev.sreagent.testkit.internal;

import org.jspecify.annotations.NullMarked;
