/**
 * A local emulator of the parts of Microsoft Teams and Azure Bot Service a Teams approval bot talks to
 * ({@link dev.sreagent.testkit.teams.TeamsEmulator}): the Microsoft identity platform's client-credentials token
 * endpoint, the Bot Connector's OpenID metadata and signing keys, the Bot Connector's conversation API (send, reply,
 * update), and the signed requests Teams sends to the bot's messaging endpoint (Universal Action invokes and channel
 * messages mentioning the bot), all on a loopback port, so bots can be tested without the internet.
 */
@NullMarked
package dev.sreagent.testkit.teams;

import org.jspecify.annotations.NullMarked;
