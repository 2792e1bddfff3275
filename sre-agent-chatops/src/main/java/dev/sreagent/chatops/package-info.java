/**
 * ChatOps: plans waiting for a human go to Slack with Approve and Reject buttons, and the clicks come back as signed
 * interaction callbacks ({@link dev.sreagent.chatops.SlackChatOps}). Signature checks are in
 * {@link dev.sreagent.chatops.SlackSignature}.
 */
@NullMarked
package dev.sreagent.chatops;

import org.jspecify.annotations.NullMarked;
