/**
 * A loopback emulator of the AWS APIs the AWS adapter ({@code sre-agent-aws}) calls, for tests and demos: see
 * {@link dev.sreagent.testkit.aws.AwsEmulator}.
 */
@NullMarked
package dev.sreagent.testkit.aws;

import org.jspecify.annotations.NullMarked;
