/** sre-agent API: model. Values are immutable and validated on construction. */
@NullMarked
package dev.sreagent.api.model;

import org.jspecify.annotations.NullMarked;
