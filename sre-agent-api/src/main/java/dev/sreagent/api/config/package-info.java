/** sre-agent API: config. Values are immutable and validated on construction. */
@NullMarked
package dev.sreagent.api.config;

import org.jspecify.annotations.NullMarked;
