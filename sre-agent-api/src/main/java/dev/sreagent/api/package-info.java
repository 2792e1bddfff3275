/**
 * The public API of sre-agent: the domain model ({@link dev.sreagent.api.model}), the ports that adapters
 * implement ({@link dev.sreagent.api.port}), the ServiceLoader providers ({@link dev.sreagent.api.spi}),
 * agent events ({@link dev.sreagent.api.event}), configuration views ({@link dev.sreagent.api.config}) and bounded
 * per-key state for telemetry of any cardinality ({@link dev.sreagent.api.state}); {@link dev.sreagent.api.Require}
 * holds the argument checks that every module (and any plugin) uses, so messages read the same everywhere.
 *
 * <p>This module depends on the JDK alone.
 */
@NullMarked
package dev.sreagent.api;

import org.jspecify.annotations.NullMarked;
