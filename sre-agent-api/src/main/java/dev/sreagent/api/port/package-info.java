/** sre-agent API: port. Values are immutable and validated on construction. */
@NullMarked
package dev.sreagent.api.port;

import org.jspecify.annotations.NullMarked;
