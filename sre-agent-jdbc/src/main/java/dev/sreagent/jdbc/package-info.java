/**
 * The JDBC store: incidents ({@link dev.sreagent.jdbc.JdbcIncidentStore}) and the hash-chained audit log
 * ({@link dev.sreagent.jdbc.JdbcAuditLog}) in PostgreSQL or an embedded H2 database, one schema migrated by Flyway,
 * with a transactional outbox relayed at least once by {@link dev.sreagent.jdbc.OutboxRelay}. Start from
 * {@link dev.sreagent.jdbc.JdbcStores}.
 */
@NullMarked
package dev.sreagent.jdbc;

import org.jspecify.annotations.NullMarked;
