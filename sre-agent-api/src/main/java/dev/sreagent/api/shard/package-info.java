/**
 * Sharding across agents: which agents are alive ({@link dev.sreagent.api.shard.ShardMembership}) and which of them
 * owns a service ({@link dev.sreagent.api.shard.ShardAssignment}, rendezvous hashing). Only the owner of an incident
 * acts on it; see {@code SreAgentBuilder.setShardMembership}.
 */
@NullMarked
package dev.sreagent.api.shard;

import org.jspecify.annotations.NullMarked;
