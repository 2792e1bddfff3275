/** The append-only, hash-chained audit log. */
@NullMarked
package dev.sreagent.core.audit;

import org.jspecify.annotations.NullMarked;
