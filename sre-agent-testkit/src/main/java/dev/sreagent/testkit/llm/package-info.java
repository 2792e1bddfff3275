/** A local emulator of language-model HTTP APIs for tests of LLM reasoners. */
@NullMarked
package dev.sreagent.testkit.llm;

import org.jspecify.annotations.NullMarked;
