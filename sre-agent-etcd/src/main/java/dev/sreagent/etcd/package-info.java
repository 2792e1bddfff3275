/**
 * Adapter: a {@link dev.sreagent.api.port.LockService} on etcd (jetcd), {@link dev.sreagent.etcd.EtcdLockService}:
 * one leased key per target, the key's create revision as the fencing token, explicit keep-alive, release by
 * compare-and-delete in a transaction. See the class documentation for what it guarantees and what it does not.
 */
@NullMarked
package dev.sreagent.etcd;

import org.jspecify.annotations.NullMarked;
