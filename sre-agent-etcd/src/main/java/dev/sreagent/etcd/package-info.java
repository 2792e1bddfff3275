/**
 * Adapter: a {@link dev.sreagent.api.port.LockService} on etcd (jetcd), {@link dev.sreagent.etcd.EtcdLockService}:
 * one leased key per target, the key's create revision as the fencing token, explicit keep-alive, release by
 * compare-and-delete in a transaction; and a {@link dev.sreagent.api.shard.ShardMembership} on etcd,
 * {@link dev.sreagent.etcd.EtcdMembership}: one registration key per agent under a lease kept alive, a watch on the
 * members' prefix. See the class documentation for what each guarantees and what it does not.
 */
@NullMarked
package dev.sreagent.etcd;

import org.jspecify.annotations.NullMarked;
