/** placeholder */
@NullMarked
package dev.sreagent.redis;

import org.jspecify.annotations.NullMarked;
