/** sre-agent API: event. Values are immutable and validated on construction. */
@NullMarked
package dev.sreagent.api.event;

import org.jspecify.annotations.NullMarked;
