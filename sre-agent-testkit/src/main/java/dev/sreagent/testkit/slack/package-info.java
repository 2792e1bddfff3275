/** A local emulator of the part of Slack the ChatOps adapter talks to ({@link dev.sreagent.testkit.slack.SlackEmulator}). */
@NullMarked
package dev.sreagent.testkit.slack;

import org.jspecify.annotations.NullMarked;
