/** Agents sharing the work within one process: {@link dev.sreagent.core.shard.InMemoryShardGroup}. */
@NullMarked
package dev.sreagent.core.shard;

import org.jspecify.annotations.NullMarked;
