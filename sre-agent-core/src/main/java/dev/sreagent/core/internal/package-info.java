/** Implementation detail; not API. May change without notice. */
@NullMarked
package dev.sreagent.core.internal;

import org.jspecify.annotations.NullMarked;
