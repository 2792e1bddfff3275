/** In-process lock service with fencing tokens. */
@NullMarked
package dev.sreagent.core.lock;

import org.jspecify.annotations.NullMarked;
