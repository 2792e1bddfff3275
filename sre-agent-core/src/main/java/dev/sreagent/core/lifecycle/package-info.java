/** The incident lifecycle state machine. */
@NullMarked
package dev.sreagent.core.lifecycle;

import org.jspecify.annotations.NullMarked;
