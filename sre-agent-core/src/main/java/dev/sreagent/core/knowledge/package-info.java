/** The bundled knowledge base: runbooks shipped with the SDK, searched lexically. */
@NullMarked
package dev.sreagent.core.knowledge;

import org.jspecify.annotations.NullMarked;
