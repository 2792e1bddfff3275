/** placeholder */
@NullMarked
package dev.sreagent.gitops;

import org.jspecify.annotations.NullMarked;
