/**
 * AWS adapter (telemetry source and executors on the AWS SDK v2). Not built yet: this module exists so that users
 * can depend on it without pulling fabric8, and so that the architecture rules already guard it.
 */
@NullMarked
package dev.sreagent.aws;

import org.jspecify.annotations.NullMarked;
