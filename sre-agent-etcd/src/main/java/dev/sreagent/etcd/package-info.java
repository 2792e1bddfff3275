/** placeholder */
@NullMarked
package dev.sreagent.etcd;

import org.jspecify.annotations.NullMarked;
