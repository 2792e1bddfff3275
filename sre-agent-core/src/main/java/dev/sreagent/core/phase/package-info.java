/** Earned autonomy: phases per incident type, promotion eligibility and demotion. */
@NullMarked
package dev.sreagent.core.phase;

import org.jspecify.annotations.NullMarked;
