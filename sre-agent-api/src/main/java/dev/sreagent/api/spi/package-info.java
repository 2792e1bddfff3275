/** sre-agent API: spi. Values are immutable and validated on construction. */
@NullMarked
package dev.sreagent.api.spi;

import org.jspecify.annotations.NullMarked;
