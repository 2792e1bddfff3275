/**
 * Kubernetes adapter (topology source and executors on the fabric8 client). Not built yet: this module exists so
 * that users can depend on it without pulling the AWS SDK, and so that the architecture rules already guard it.
 */
@NullMarked
package dev.sreagent.k8s;

import org.jspecify.annotations.NullMarked;
