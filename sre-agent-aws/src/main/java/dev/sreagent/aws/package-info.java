/**
 * The AWS adapter on the AWS SDK v2 (JDK URL connection, no Netty): {@link dev.sreagent.aws.EcsAdapter} (ECS
 * services as the topology, {@link dev.sreagent.aws.EcsRestartExecutor}, {@link dev.sreagent.aws.EcsScaleExecutor}
 * with Application Auto Scaling, {@link dev.sreagent.aws.EcsRollbackExecutor}) and CloudWatch metrics as a telemetry
 * source. The IAM policy it needs ships as {@code iam/sre-agent-ecs.json}. Tests run it against the testkit's
 * {@code AwsEmulator} through the real SDK clients.
 */
@NullMarked
package dev.sreagent.aws;

import org.jspecify.annotations.NullMarked;
