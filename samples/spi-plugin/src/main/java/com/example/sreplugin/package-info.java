/**
 * An example plugin: a guardrail that keeps the agent away from a protected namespace, and a notifier that writes
 * one line per incident event, both discovered through {@code META-INF/services}.
 */
@NullMarked
package com.example.sreplugin;

import org.jspecify.annotations.NullMarked;
