/** Embedded incident store. */
@NullMarked
package dev.sreagent.core.store;

import org.jspecify.annotations.NullMarked;
