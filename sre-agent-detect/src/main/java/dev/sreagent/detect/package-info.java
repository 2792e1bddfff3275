/**
 * Detectors and correlation: rule detectors for the five built-in incident types with the default thresholds and
 * sustain windows, and a topology-aware correlator. Domain code: depends on the API only.
 */
@NullMarked
package dev.sreagent.detect;

import org.jspecify.annotations.NullMarked;
